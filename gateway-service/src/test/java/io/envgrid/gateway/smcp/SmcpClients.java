package io.envgrid.gateway.smcp;

import io.envgrid.gateway.support.SocketIoDriver;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every SMCP test class starts from: the shared replicas, a fresh socket.io-client driver per test, and client
 * names unique to the test (so offices and names never meet another test's).
 */
abstract class SmcpClients {

    protected SocketIoDriver driver;
    protected Offices offices;
    protected SmcpGateways gateways;
    protected String run;

    @BeforeEach
    void startClients() {
        gateways = SmcpGateways.get();
        driver = SocketIoDriver.start();
        offices = new Offices(driver);
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void stopClients() {
        driver.close();
    }

    /** Connects a client named {@code name-<run>} to the first replica; answers its name. */
    protected String client(String name, String version) {
        return offices.connect(name + "-" + run, gateways.first.url(), version);
    }
}

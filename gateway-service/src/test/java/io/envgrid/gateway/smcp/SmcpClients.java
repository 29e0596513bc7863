package io.envgrid.gateway.smcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
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

    /**
     * A fresh office with a 0.5 Computer {@code box-<run>} in it (on the first replica) listing one tool,
     * {@code probe__t} of bundle {@code probe}, to whoever asks {@code client:get_tools}; answers the office's id.
     */
    protected String officeWithProbeComputer() {
        String office = Offices.office();
        String box = client("box", "0.5.0");
        offices.join(box, "computer", box, office);
        ObjectNode tools = SocketIoDriver.object();
        tools.putArray("tools").addObject().put("name", "probe__t").put("description", "a test tool")
                .put("bundle_id", "probe").set("params_schema", SocketIoDriver.object().put("type", "object"));
        driver.serve(box, "client:get_tools", SocketIoDriver.array().add(tools), 0);
        return office;
    }
}

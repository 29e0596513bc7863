package io.envgrid.deviceagent.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.deviceagent.support.Conditions;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The agent's own port bounds its connections (found by a review: a connection needs no credential and nothing capped
 * them, so one client could hold as many as the agent has file descriptors). Silent connections, the cheapest flood.
 */
@QuarkusTest
class AgentPortConnectionsTest {

    @TestHTTPResource("/")
    URL agent;

    @Test
    void silentConnectionsBeyondTheCapAreClosedAtOnceAndThePortServesAgainWhenTheyGo() throws Exception {
        int max = ConfigProvider.getConfig().getValue("quarkus.http.limits.max-connections", Integer.class);
        int extra = 10;
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < max + extra; i++) {
                flood.add(new Socket(agent.getHost(), agent.getPort()));
            }
            // before: all stayed open (no cap; and with h2c a silent connection was never counted)
            Conditions.await(() -> closed(flood) >= extra, extra + " connections over the cap closed",
                    Duration.ofSeconds(10));
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }
        // the cap counts open connections: once the flood is gone the port answers again
        Conditions.await(() -> health() == 200, "the agent's port answers again", Duration.ofSeconds(10));
    }

    private int health() {
        try {
            return given().get("/q/health/live").statusCode();
        } catch (Exception refused) { // rest-assured throws the connect failure (checked) unwrapped
            return -1;
        }
    }

    /** The connections the agent has closed: a read ends at once (or fails) instead of waiting. */
    private static int closed(List<Socket> sockets) {
        int closed = 0;
        for (Socket socket : sockets) {
            try {
                socket.setSoTimeout(1);
                if (socket.getInputStream().read() == -1) {
                    closed++;
                }
            } catch (SocketTimeoutException open) {
                // still open
            } catch (IOException reset) {
                closed++;
            }
        }
        return closed;
    }
}

package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.support.SocketIoDriver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP side of the A2C-SMCP server: the {@code a2c_version} gate (as the reference middleware answers), the
 * connect {@code auth} token, and Engine.IO's polling-then-WebSocket upgrade with the official client.
 */
class SmcpHandshakeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static String url;
    private static SocketIoDriver driver;

    @BeforeAll
    static void start() {
        url = SmcpGateways.get().first.url();
        driver = SocketIoDriver.start();
    }

    @AfterAll
    static void stop() {
        driver.close();
    }

    private static HttpResponse<String> handshake(String query, boolean websocket) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/socket.io/?EIO=4&transport="
                + (websocket ? "websocket" : "polling") + query));
        if (websocket) {
            // a WebSocket handshake's headers; the gate answers before any upgrade
            request.header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").header("Sec-WebSocket-Version", "13");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aMissingVersionIsRefusedWith400() throws Exception {
        HttpResponse<String> response = handshake("", false);
        assertEquals(400, response.statusCode());
        assertEquals("{\"code\":400,\"message\":\"Missing a2c_version query parameter\"}", response.body());
        assertEquals(Optional.empty(), response.headers().firstValue("X-A2C-Error-Code"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4", "v0.4.0", "0.4.0-rc1", "abc"})
    void aMalformedVersionIsRefusedWith400(String version) throws Exception {
        HttpResponse<String> response = handshake("&a2c_version=" + version, false);
        assertEquals(400, response.statusCode());
        JsonNode body = JSON.readTree(response.body());
        assertEquals(400, body.path("code").asInt());
        assertTrue(body.path("message").asText().startsWith("Invalid a2c_version: "), body.toString());
        assertEquals(Optional.empty(), response.headers().firstValue("X-A2C-Error-Code"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.3.2", "0.6.0", "1.0.0"})
    void anIncompatibleVersionIsRefusedWith4008(String version) throws Exception {
        for (boolean websocket : new boolean[] {false, true}) {
            HttpResponse<String> response = handshake("&a2c_version=" + version, websocket);
            assertEquals(400, response.statusCode());
            assertEquals("4008", response.headers().firstValue("X-A2C-Error-Code").orElse(null));
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
            assertEquals(String.valueOf(response.body().getBytes().length), response.headers().firstValue("Content-Length").orElse(null));
            JsonNode body = JSON.readTree(response.body());
            assertEquals(4008, body.path("code").asInt());
            assertEquals("Protocol version mismatch", body.path("message").asText());
            assertEquals(version, body.path("client_version").asText());
            assertEquals("0.5.0", body.path("server_version").asText());
            assertEquals("0.4.0", body.path("min_supported").asText());
            assertEquals("0.5.999", body.path("max_supported").asText());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.4.7", "0.5.0"})
    void bothGenerationsConnectAndUpgradeToWebSocket(String version) {
        String client = "up-" + version;
        JsonNode connected = driver.connect(client, url, version, SmcpGateways.TOKEN);
        assertTrue(connected.path("ok").asBoolean(), connected.toString());
        assertEquals("polling", connected.path("result").path("firstTransport").asText(), "the SDKs connect polling first");
        driver.ok(SocketIoDriver.command("waitUpgrade").put("client", client).put("timeoutMs", 3000));
        driver.disconnect(client);
    }

    @Test
    void theClientRefusedByTheGateSeesAConnectError() {
        JsonNode answer = driver.connect("old", url, "0.3.0", SmcpGateways.TOKEN);
        assertFalse(answer.path("ok").asBoolean());
    }

    @Test
    void theConnectAuthTokenIsChecked() {
        for (String token : new String[] {null, "not-the-token"}) {
            JsonNode answer = driver.connect("intruder", url, "0.5.0", token);
            assertFalse(answer.path("ok").asBoolean());
            assertEquals("Invalid connection request", answer.path("error").asText());
        }
    }

    /**
     * The upgrade never stalls: every one of 20 fresh connections runs on WebSocket within a second of its start (the hazard
     * of netty-socketio 2.0.14 with this client: 2 of 12 connections stayed on polling for seconds).
     */
    @Test
    void noUpgradeStalls() {
        JsonNode result = driver.ok(SocketIoDriver.command("upgradeTimes").put("url", url).put("version", "0.5.0")
                .put("count", 20).put("timeoutMs", 3000).set("auth", SocketIoDriver.object().put("token", SmcpGateways.TOKEN)));
        for (JsonNode ms : result.path("ms")) {
            assertFalse(ms.isNull(), "a connection stayed on polling: " + result);
            assertTrue(ms.asLong() < 1000, "an upgrade took " + ms + " ms: " + result);
        }
        assertEquals(20, result.path("ms").size());
    }
}

package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.security.TokenVerifier;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.SocketIoDriver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Revoking a signed token ({@code POST /admin/token-revocations}) on the two replicas that take signed tokens
 * ({@link SmcpGateways#tokens()} and {@link SmcpGateways#tokensPeer()}), and the per-event checks on their own: an
 * event of a connection whose token was revoked without the message reaching its replica, or whose token expired
 * while its expiry timer is late, is refused and ends the connection.
 */
class TokenRevocationIT extends SmcpClients {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Well inside the revocation refresh (10 s): what ends a connection sooner is the revocation message. */
    private static final Duration AT_ONCE = Duration.ofSeconds(6);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private String a;
    private String b;

    @BeforeEach
    void replicas() {
        a = gateways.tokens().url();
        b = gateways.tokensPeer().url();
    }

    private static String token(String subject, List<String> workers, Instant expiry) {
        return TokenVerifier.mint(subject, workers, expiry, SmcpGateways.SIGNING_SECRET.getBytes(StandardCharsets.UTF_8));
    }

    /** An {@code egw2} token of {@code subject} for offices {@code office-…}, valid for {@code ttl}. */
    private static String token(String subject, Duration ttl) {
        return token(subject, List.of("office-*"), expiryAfter(ttl));
    }

    private static Instant expiryAfter(Duration ttl) {
        return Instant.ofEpochSecond(Instant.now().plus(ttl).getEpochSecond());
    }

    private String operator() {
        return token("operator-" + run, List.of("*"), expiryAfter(Duration.ofHours(1)));
    }

    private static HttpResponse<String> revoke(String url, String bearer, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/admin/token-revocations"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Revokes {@code token} on {@code url} as an operator, with its {@code exp}; answers the 200's body. */
    private JsonNode revoke(String url, String token, Instant expiry) {
        HttpResponse<String> answer = revoke(url, operator(), "{\"jti\":\"" + TokenVerifier.tokenIdOf(token)
                + "\",\"exp\":" + expiry.getEpochSecond() + "}");
        assertEquals(200, answer.statusCode(), answer.body());
        return McpSteps.readTree(answer.body());
    }

    private static void assertRefused(HttpResponse<String> answer, int status, String code, String field) {
        assertEquals(status, answer.statusCode(), answer.body());
        JsonNode error = McpSteps.readTree(answer.body()).path("error");
        assertEquals(code, error.path("code").asText(), answer.body());
        if (field != null) {
            assertEquals(field, error.path("details").path("field").asText(), answer.body());
        }
    }

    @Test
    void theAdminEndpointRefusesBadInputWithTheEnvelope() {
        String jti = "\"jti\":\"abcDEF012_-\"";
        assertRefused(revoke(a, null, "{" + jti + "}"), 401, "UNAUTHORIZED", null);
        assertRefused(revoke(a, "not-a-token", "{" + jti + "}"), 401, "UNAUTHORIZED", null);
        assertRefused(revoke(a, SmcpGateways.TOKEN, "{" + jti + "}"), 403, "OPERATOR_ONLY", null);
        assertRefused(revoke(a, token("job-" + run, List.of("job42/"), expiryAfter(Duration.ofHours(1))), "{" + jti + "}"),
                403, "OPERATOR_ONLY", null);

        String op = operator();
        long now = Instant.now().getEpochSecond();
        assertRefused(revoke(a, op, "not json"), 400, "INVALID_PARAMETERS", null);
        assertRefused(revoke(a, op, ""), 400, "INVALID_PARAMETERS", null);
        assertRefused(revoke(a, op, "[]"), 400, "INVALID_PARAMETERS", null);
        assertRefused(revoke(a, op, "{}"), 400, "INVALID_PARAMETERS", "jti");
        assertRefused(revoke(a, op, "{\"jti\":\"\"}"), 400, "INVALID_PARAMETERS", "jti");
        assertRefused(revoke(a, op, "{\"jti\":\"a b\"}"), 400, "INVALID_PARAMETERS", "jti");
        assertRefused(revoke(a, op, "{\"jti\":\"" + "x".repeat(65) + "\"}"), 400, "INVALID_PARAMETERS", "jti");
        assertRefused(revoke(a, op, "{\"jti\":17}"), 400, "INVALID_PARAMETERS", "jti");
        assertRefused(revoke(a, op, "{" + jti + ",\"exp\":\"soon\"}"), 400, "INVALID_PARAMETERS", "exp");
        assertRefused(revoke(a, op, "{" + jti + ",\"exp\":" + (now - 10) + "}"), 400, "INVALID_PARAMETERS", "exp");
        assertRefused(revoke(a, op, "{" + jti + ",\"exp\":" + (now + 400L * 86400) + "}"), 400, "INVALID_PARAMETERS", "exp");
        assertRefused(revoke(a, op, "{" + jti + ",\"exp\":1e300}"), 400, "INVALID_PARAMETERS", "exp");
        assertRefused(revoke(a, op, "{" + jti + ",\"exp\":" + (now + 3600) + ".5}"), 400, "INVALID_PARAMETERS", "exp");
        assertRefused(revoke(a, op, "{" + jti + ",\"expires\":1}"), 400, "INVALID_PARAMETERS", "expires");

        // without exp: kept for the longest life a token can have
        HttpResponse<String> kept = revoke(a, op, "{\"jti\":\"never-minted-" + run + "\"}");
        assertEquals(200, kept.statusCode(), kept.body());
        long until = McpSteps.readTree(kept.body()).path("revoked_until").asLong();
        assertTrue(until >= now + 365L * 86400 && until <= now + 367L * 86400, kept.body());
    }

    @Test
    void theAdminEndpointIsDocumentedWithExamplesAndItsErrors() throws IOException, InterruptedException {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(a + "/q/openapi?format=json")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode());
        JsonNode document = McpSteps.readTree(answer.body());
        JsonNode post = document.path("paths").path("/admin/token-revocations").path("post");
        JsonNode request = post.path("requestBody").path("content").path("application/json");
        assertEquals("#/components/schemas/TokenRevocationRequest", request.path("schema").path("$ref").asText(), post.toString());
        assertTrue(request.path("examples").size() >= 2, "request examples: " + request);
        assertEquals("#/components/schemas/TokenRevocation", post.path("responses").path("200").path("content")
                .path("application/json").path("schema").path("$ref").asText(), post.toString());
        for (String status : List.of("400", "401", "403", "503")) {
            assertEquals("#/components/schemas/ErrorEnvelope", post.path("responses").path(status).path("content")
                    .path("application/json").path("schema").path("$ref").asText(), status + ": " + post);
        }
        JsonNode schemas = document.path("components").path("schemas");
        assertTrue(schemas.path("TokenRevocationRequest").has("example"), schemas.path("TokenRevocationRequest").toString());
        assertEquals("integer", schemas.path("TokenRevocationRequest").path("properties").path("exp").path("type").asText(),
                schemas.path("TokenRevocationRequest").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void aRevokedTokensConnectionsEndOnEveryReplicaAndItIsRefused(String version) {
        String office = Offices.office();
        String subject = "revoked-" + run;
        Instant expiry = expiryAfter(Duration.ofHours(1));
        String revoked = token(subject, List.of("office-*"), expiry);
        String agent = "agent-" + run;
        String computer = "computer-" + run;
        assertTrue(driver.connect(agent, a, version, revoked).path("ok").asBoolean());
        assertTrue(driver.connect(computer, b, version, revoked).path("ok").asBoolean());
        offices.join(agent, "agent", agent, office);
        offices.join(computer, "computer", computer, office);
        String witness = offices.connect("witness-" + run, gateways.first.url(), version);
        offices.join(witness, "computer", witness, office);
        McpBridgeSession mcp = McpBridgeSession.open(b, revoked);
        assertEquals(200, mcp.listStatus(revoked));

        JsonNode answer = revoke(a, revoked, expiry);
        assertEquals(TokenVerifier.tokenIdOf(revoked), answer.path("jti").asText(), answer.toString());
        assertEquals(expiry.getEpochSecond(), answer.path("revoked_until").asLong(), answer.toString());

        // on both replicas, by the message: sooner than the periodic reload would
        JsonNode reason = driver.waitEvent(agent, "disconnect", AT_ONCE.toMillis());
        assertEquals("io server disconnect", reason.path(0).asText(), reason.toString());
        reason = driver.waitEvent(computer, "disconnect", AT_ONCE.toMillis());
        assertEquals("io server disconnect", reason.path(0).asText(), reason.toString());
        List<String> left = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonNode notice = driver.waitEvent(witness, "notify:leave_office", WAIT.toMillis()).path(0);
            left.add(notice.has("agent") ? notice.path("agent").asText() : notice.path("computer").asText());
        }
        assertTrue(left.containsAll(List.of(agent, computer)), "the office heard both leave: " + left);

        for (String url : List.of(a, b)) {
            JsonNode again = driver.connect("again-" + run + "-" + url.hashCode(), url, version, revoked);
            assertFalse(again.path("ok").asBoolean(), "a revoked token does not connect to " + url + ": " + again);
        }
        assertEquals(401, mcp.listStatus(revoked), "MCP over HTTP refuses the revoked token");
        AssertionError opened = assertThrows(AssertionError.class, () -> McpBridgeSession.open(a, revoked));
        assertTrue(opened.getMessage().contains("401"), opened.getMessage());

        String another = token(subject, Duration.ofHours(1));
        assertTrue(driver.connect("another-" + run, a, version, another).path("ok").asBoolean(),
                "only that token is revoked, not its principal");
        // the MCP session the revoked token opened ended with it, for the principal's other tokens too (issue 14)
        assertEquals(404, mcp.listStatus(another), "the revoked token's MCP session is over");
        assertEquals(200, McpBridgeSession.open(b, another).listStatus(another));
    }

    /**
     * A client that ignores the server's DISCONNECT (it goes on polling or reading, and answers every ping) does not
     * keep its Engine.IO connection: once the DISCONNECT has reached it, the server closes the connection, since no
     * namespace of it is left (socket.io-client closes such a connection itself; the official client's view is
     * checked by {@link #aRevokedTokensConnectionsEndOnEveryReplicaAndItIsRefused}).
     */
    @ParameterizedTest
    @ValueSource(strings = {"polling", "websocket"})
    void aRawClientIgnoringTheDisconnectOfItsLastNamespaceIsClosed(String transport) {
        Instant expiry = expiryAfter(Duration.ofHours(1));
        String revoked = token("ignoring-" + transport + "-" + run, List.of("office-*"), expiry);
        if (transport.equals("websocket")) {
            try (RawWebSocket ws = RawWebSocket.connected(a, revoked)) {
                revoke(a, revoked, expiry);
                List<String> received = ws.receivedPongingUntilClosed(AT_ONCE.toMillis() + 2 * SmcpGateways.PING_INTERVAL_MS);
                assertTrue(ws.closedWithin(0), "the server closed the WebSocket; it sent " + received);
                assertEquals(List.of("41/smcp,", "1"), received.subList(Math.max(0, received.size() - 2), received.size()),
                        "the DISCONNECT, then the CLOSE, last: " + received);
                // once closing no ping goes out, so a close by the heartbeat comes a ping timeout or more after the
                // DISCONNECT: this one is the server's own
                long after = ws.closedMillisAfter("41/smcp,");
                assertTrue(after < SmcpGateways.PING_TIMEOUT_MS * 3 / 4,
                        "closed " + after + " ms after the DISCONNECT");
            }
            return;
        }
        RawEngine polling = new RawEngine(a);
        String sid = polling.connect(revoked);
        revoke(a, revoked, expiry);
        List<String> polled = new ArrayList<>();
        int pollsAfterDisconnect = 0;
        for (int polls = 0; polls < 20 && !polled.contains("1") && pollsAfterDisconnect < 3; polls++) {
            RawEngine.Answer answer = polling.poll(sid);
            assertEquals(200, answer.status(), "polled " + polled + ", then " + answer);
            if (polled.contains("41/smcp,")) {
                pollsAfterDisconnect++;
            }
            for (String packet : answer.body().split(String.valueOf(RawEngine.SEPARATOR))) {
                polled.add(packet);
                if (packet.equals("2")) {
                    polling.post(sid, "3"); // a live client: only the DISCONNECT is ignored
                }
            }
        }
        assertTrue(polled.contains("41/smcp,") && polled.indexOf("41/smcp,") < polled.indexOf("1"),
                "the DISCONNECT, then the CLOSE within three polls after it: " + polled);
        assertEquals(400, polling.poll(sid).status(), "the polling session is closed");
    }

    @Test
    void anEventOfARevokedTokenIsRefusedWithoutTheMessage() throws IOException {
        String office = Offices.office();
        Instant expiry = expiryAfter(Duration.ofHours(1));
        String revoked = token("unheard-" + run, List.of("office-*"), expiry);
        String agent = "agent-" + run;
        assertTrue(driver.connect(agent, b, "0.5.0", revoked).path("ok").asBoolean());
        offices.join(agent, "agent", agent, office);
        String witness = offices.connect("witness-" + run, gateways.first.url(), "0.5.0");
        offices.join(witness, "computer", witness, office);

        // the revocation as stored, but never announced nor indexed: no replica hears of it but by asking Redis
        redis("SET", "{envgrid-gw}:revoked-token:" + TokenVerifier.tokenIdOf(revoked),
                Long.toString(expiry.toEpochMilli()), "PX", "600000");
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertTrue(driver.events(agent).findValues("event").stream().noneMatch(e -> e.asText().equals("disconnect")),
                "no message came: the connection is still open");

        JsonNode listed = driver.emit(agent, "server:list_room", Offices.NO_ACK_MS * 3,
                SocketIoDriver.object().put("agent", agent).put("req_id", "r1").put("office_id", office));
        assertFalse(listed.path("acked").asBoolean(), "the event is not handled: " + listed);
        JsonNode reason = driver.waitEvent(agent, "disconnect", WAIT.toMillis());
        assertEquals("io server disconnect", reason.path(0).asText(), reason.toString());
        JsonNode left = driver.waitEvent(witness, "notify:leave_office", WAIT.toMillis());
        assertEquals(agent, left.path(0).path("agent").asText(), left.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void aTokenExpiringWhileIdleIsRefusedAtTheNextEventWithoutItsTimer(String version) {
        String office = Offices.office();
        Instant expiry = expiryAfter(Duration.ofSeconds(8));
        String expiring = token("idle-" + run, List.of("office-*"), expiry);
        String agent = "agent-" + run;
        JsonNode connected = driver.connect(agent, b, version, expiring);
        assertTrue(connected.path("ok").asBoolean(), connected.toString());
        offices.join(agent, "agent", agent, office);
        String witness = offices.connect("witness-" + run, gateways.first.url(), version);
        offices.join(witness, "computer", witness, office);

        Conditions.await("the token expired", WAIT, () -> Instant.now().isAfter(expiry.plusSeconds(1)));
        assertTrue(driver.events(agent).findValues("event").stream().noneMatch(e -> e.asText().equals("disconnect")),
                "the replica's expiry timer is late (" + SmcpGateways.EXPIRY_TIMER_DELAY_MS + " ms): still connected");

        JsonNode listed = driver.emit(agent, "server:list_room", Offices.NO_ACK_MS * 3,
                SocketIoDriver.object().put("agent", agent).put("req_id", "r1").put("office_id", office));
        assertFalse(listed.path("acked").asBoolean(), "an event after the expiry is not handled: " + listed);
        JsonNode reason = driver.waitEvent(agent, "disconnect", WAIT.toMillis());
        assertEquals("io server disconnect", reason.path(0).asText(), reason.toString());
        JsonNode left = driver.waitEvent(witness, "notify:leave_office", WAIT.toMillis());
        assertEquals(agent, left.path(0).path("agent").asText(), left.toString());
    }

    @Test
    void anOfficeBindingMadeWithARevokedTokenEnds() {
        String office = officeWithProbeComputer();

        String subject = "binder-" + run;
        Instant expiry = expiryAfter(Duration.ofHours(1));
        String revoked = token(subject, List.of("office-*"), expiry);
        String later = token(subject, List.of("office-*"), expiryAfter(Duration.ofHours(2)));
        // opened with the token that stays valid (a session the revoked token opened ends with it as a whole): the
        // binding alone is the revoked token's
        McpBridgeSession session = McpBridgeSession.open(a, later);
        JsonNode joined = session.call(revoked, "smcp_join_office", McpBridgeSession.args().put("office_id", office));
        assertFalse(joined.path("result").path("isError").asBoolean(), joined.toString());
        assertTrue(session.toolNames(revoked).contains("probe__t"), "bound");

        revoke(b, revoked, expiry); // on the other replica: the session's hears it by the message
        Conditions.await("the binding ended with the revoked token", AT_ONCE,
                () -> !session.toolNames(later).contains("probe__t"));
        JsonNode left = session.call(later, "smcp_leave_office", McpBridgeSession.args()).path("result");
        assertFalse(left.path("isError").asBoolean(), left.toString());
        assertFalse(left.path("structuredContent").has("left"), "nothing left to leave: " + left);
        assertEquals(401, session.listStatus(revoked));
    }

    /** One command to the test cluster's Redis (RESP over a socket); answers the reply's first line. */
    private String redis(String... command) throws IOException {
        URI uri = URI.create(gateways.cluster.redisUrl());
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            StringBuilder out = new StringBuilder("*").append(command.length).append("\r\n");
            for (String part : command) {
                out.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
            }
            OutputStream os = socket.getOutputStream();
            os.write(out.toString().getBytes(StandardCharsets.UTF_8));
            os.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                reply.append((char) c);
            }
            assertTrue(reply.toString().startsWith("+"), "redis " + command[0] + ": " + reply);
            return reply.toString().trim();
        }
    }
}

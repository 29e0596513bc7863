package io.envgrid.gateway.security;

import static io.envgrid.gateway.security.TokenAuth.OPS;
import static io.envgrid.gateway.security.TokenAuth.SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpStream;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: what a revocation ({@link RevokedTokens}) leaves behind. The record keeps the latest expiry however the
 * revocations interleave and never less than the token's own once the token shows itself; the MCP sessions and
 * standalone streams opened with the token end at the revocation's message and, without it, at the next request. The
 * two-replica SMCP side: {@code TokenRevocationIT}.
 */
@QuarkusTest
@WithCluster
@TestProfile(TokenAuth.class)
class RevocationEndsSessionsTest {

    /** Well inside the stream keep-alive (15 s), which also ends a stream: what ends it sooner is the revocation. */
    private static final Duration AT_ONCE = Duration.ofSeconds(8);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/mcp")
    URL mcp;

    @Inject
    RevokedTokens revoked;

    @Inject
    McpSessions sessions;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    private static String signed(Duration life) {
        return TokenVerifier.mint("revoked-" + UUID.randomUUID(), List.of("auth-*"),
                Instant.ofEpochSecond(Instant.now().plus(life).getEpochSecond()), SECRET);
    }

    private static void revokeAsOperator(String jti, Instant until) {
        RestAssured.given().header("Authorization", "Bearer " + OPS).contentType("application/json")
                .body("{\"jti\":\"" + jti + "\",\"exp\":" + until.getEpochSecond() + "}")
                .post("/admin/token-revocations").then().statusCode(200);
    }

    private long stored(String jti) {
        String value = redis.value(String.class).get(keys.revokedToken(jti));
        return value == null ? 0 : Long.parseLong(value);
    }

    /** Two revocations of one token at once: read-then-write in two round trips let the shorter one be written last. */
    @Test
    void concurrentRevocationsKeepTheLaterExpiry() {
        Instant later = Instant.now().plus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant earlier = later.minus(Duration.ofHours(1));
        List<String> jtis = new ArrayList<>();
        List<Uni<Instant>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String jti = "race-" + i + "-" + UUID.randomUUID();
            jtis.add(jti);
            // the later first: it is the one a late write of the earlier would undo
            all.add(revoked.revoke(jti, later));
            all.add(revoked.revoke(jti, earlier));
        }
        Uni.join().all(all).andFailFast().await().atMost(WAIT);
        for (String jti : jtis) {
            assertEquals(later.toEpochMilli(), stored(jti), jti + " keeps the later expiry");
            double score = redis.sortedSet(String.class).zscore(keys.revokedTokens(), jti).orElse(0);
            assertEquals(later.toEpochMilli(), (long) score, jti + " is indexed with the later expiry");
        }
    }

    /** An operator's exp earlier than the token's: the token, once shown, extends its revocation to its own exp. */
    @Test
    void aRevokedTokenShownExtendsAShorterRevocationToItsExpiry() {
        String token = signed(Duration.ofHours(1));
        String jti = TokenVerifier.tokenIdOf(token);
        Instant tokenExpiry = Instant.ofEpochSecond(Instant.now().plus(Duration.ofHours(1)).getEpochSecond());
        revokeAsOperator(jti, Instant.now().plus(Duration.ofMinutes(2)));
        RestAssured.given().header("Authorization", "Bearer " + token).get("/tools").then().statusCode(401);
        Conditions.await("the revocation extended to the token's exp", WAIT,
                () -> Math.abs(stored(jti) - tokenExpiry.toEpochMilli()) <= 1000);
        long ttl = redis.key().pttl(keys.revokedToken(jti));
        assertTrue(ttl > Duration.ofMinutes(50).toMillis(), "kept for the token's life, not 2 minutes: " + ttl);
    }

    /** The revocation's message ends the session and its standalone stream, long before any keep-alive or sweep. */
    @Test
    void theRevocationEndsTheTokensSessionsAndStreams() {
        String token = signed(Duration.ofHours(1));
        McpStream client = McpStream.initialize(mcp.toString(), token).openStream(mcp.toString());
        McpStream other = McpStream.initialize(mcp.toString(), token);
        assertFalse(sessions.peek(client.sessionId()).await().atMost(WAIT).isEmpty());
        // bound as a first tool call binds it: the worker is live, so the lease keep-alive renews what it holds
        String worker = "auth-revoked-" + UUID.randomUUID();
        assertEquals(worker, sessions.bind(client.sessionId(), worker).await().atMost(WAIT));
        assertTrue(sessions.liveWorkers().await().atMost(WAIT).contains(worker));

        revokeAsOperator(TokenVerifier.tokenIdOf(token), Instant.now().plus(Duration.ofHours(1)));

        Conditions.await("the stream of the revoked token's session ended", AT_ONCE, client::streamEnded);
        Conditions.await("both sessions ended", AT_ONCE, () -> sessions.peek(client.sessionId()).await().atMost(WAIT).isEmpty()
                && sessions.peek(other.sessionId()).await().atMost(WAIT).isEmpty());
        assertEquals(401, client.send("ping", "{}").statusCode());
        assertFalse(sessions.liveWorkers().await().atMost(WAIT).contains(worker), "no keep-alive for its worker any more");
    }

    /** The legacy transport: the session's {@code GET /sse} stream ends at the revocation, and the session with it. */
    @Test
    void theRevocationEndsALegacySseStream() throws Exception {
        String token = signed(Duration.ofHours(1));
        LegacyStream stream = openLegacy(token);

        revokeAsOperator(TokenVerifier.tokenIdOf(token), Instant.now().plus(Duration.ofHours(1)));

        stream.drained().get(AT_ONCE.toSeconds(), TimeUnit.SECONDS); // the server ended the stream
        // the stream is ended first, the session right after it
        Conditions.await("the session ended with it", AT_ONCE, () -> sessions.peek(stream.session()).await().atMost(WAIT).isEmpty());
    }

    /**
     * Was (review9): a legacy stream's keep-alive asked nothing, so when another replica ended the session (it heard
     * the revocation first) the replica holding the stream kept it open until its client left. The session's record
     * removed as that replica removes it, with no message here, the stream's keep-alive (15 s) ends it.
     */
    @Test
    void aLegacySseStreamEndsAtItsKeepAliveWhenItsSessionEndedElsewhere() throws Exception {
        LegacyStream stream = openLegacy(signed(Duration.ofHours(1)));

        redis.key().del(keys.mcpSession(stream.session()));

        stream.drained().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** With the revocation stored but no message and no request, the keep-alive ends the stream and its session. */
    @Test
    void aLegacySseStreamEndsAtItsKeepAliveWithoutTheMessage() throws Exception {
        String token = signed(Duration.ofHours(1));
        LegacyStream stream = openLegacy(token);

        redis.value(String.class).psetex(keys.revokedToken(TokenVerifier.tokenIdOf(token)), Duration.ofHours(1).toMillis(),
                Long.toString(Instant.now().plus(Duration.ofHours(1)).toEpochMilli()));

        stream.drained().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Conditions.await("the session ended with it", AT_ONCE, () -> sessions.peek(stream.session()).await().atMost(WAIT).isEmpty());
    }

    /**
     * Was: the Sandbox API checked a token only against this replica's view, which learns a revocation stored without
     * its message at no reload either (the reload reads the index, not written here), so the token kept working. Each
     * request with a revocable token now asks Redis: the next call is 401 with the envelope, on every operation.
     */
    @Test
    void aSandboxCallWithARevokedTokenIsRefusedWithoutTheMessage() {
        String token = signed(Duration.ofHours(1));
        String body = "{\"worker_id\":\"auth-sandbox-" + UUID.randomUUID() + "\"}";
        RestAssured.given().header("Authorization", "Bearer " + token).contentType("application/json").body(body)
                .post("/session/list").then().statusCode(200);

        redis.value(String.class).psetex(keys.revokedToken(TokenVerifier.tokenIdOf(token)), Duration.ofHours(1).toMillis(),
                Long.toString(Instant.now().plus(Duration.ofHours(1)).toEpochMilli()));

        RestAssured.given().header("Authorization", "Bearer " + token).contentType("application/json").body(body)
                .post("/session/list").then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body("error.code", org.hamcrest.Matchers.equalTo("UNAUTHORIZED"))
                .body("error.message", org.hamcrest.Matchers.equalTo("the bearer token has been revoked"));
        RestAssured.given().header("Authorization", "Bearer " + token).get("/tools").then().statusCode(401)
                .body("error.code", org.hamcrest.Matchers.equalTo("UNAUTHORIZED"));
    }

    /** An open {@code GET /sse} stream: its session id, and the reading of its lines until the server ends it. */
    private record LegacyStream(String session, CompletableFuture<Void> drained) {
    }

    private LegacyStream openLegacy(String token) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<java.util.stream.Stream<String>> opened = client.send(HttpRequest.newBuilder(
                        URI.create(mcp.toString().replace("/mcp", "/sse"))).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, opened.statusCode());
        Iterator<String> lines = opened.body().iterator();
        String endpoint = "";
        while (!endpoint.startsWith("data: /messages?sessionId=")) {
            endpoint = lines.next();
        }
        String session = endpoint.substring("data: /messages?sessionId=".length());
        return new LegacyStream(session, CompletableFuture.runAsync(() -> lines.forEachRemaining(line -> { })));
    }

    /**
     * A revocation this replica never heard of (stored without its message, not yet in the index its reload reads):
     * the session's next request asks Redis, finds the session over and ends it with its stream.
     */
    @Test
    void aRequestEndsTheSessionOfARevokedTokenWithoutTheMessage() {
        String token = signed(Duration.ofHours(1));
        String jti = TokenVerifier.tokenIdOf(token);
        McpStream client = McpStream.initialize(mcp.toString(), token).openStream(mcp.toString());
        assertEquals(200, client.send("ping", "{}").statusCode());

        redis.value(String.class).psetex(keys.revokedToken(jti), Duration.ofHours(1).toMillis(),
                Long.toString(Instant.now().plus(Duration.ofHours(1)).toEpochMilli()));

        HttpResponse<String> ping = client.send("ping", "{}");
        assertEquals(404, ping.statusCode(), "the session is over: " + ping.body());
        Conditions.await("the session ended", AT_ONCE, () -> sessions.peek(client.sessionId()).await().atMost(WAIT).isEmpty());
        Conditions.await("its stream ended", AT_ONCE, client::streamEnded);
    }
}

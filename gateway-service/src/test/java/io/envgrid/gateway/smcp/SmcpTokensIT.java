package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.security.TokenVerifier;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpSteps;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tokens over the life of a connection, on the replica that takes signed tokens ({@link SmcpGateways#tokens()}): a
 * principal holds at most {@link SmcpGateways#CONNECTIONS_PER_PRINCIPAL} connections there (one more is a
 * {@code connect_error} with code 429), a token that expires while its client is connected ends the connection (the
 * office hears the member leave), and an MCP session's office binding ends with the token that made it.
 */
class SmcpTokensIT extends SmcpClients {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private String url;

    @BeforeEach
    void replica() {
        url = gateways.tokens().url();
    }

    /** An {@code egw2} token of {@code subject} for offices {@code office-…}, valid for {@code ttl} (whole seconds). */
    private static String token(String subject, Duration ttl) {
        return TokenVerifier.mint(subject, List.of("office-*"), expiryAfter(ttl),
                SmcpGateways.SIGNING_SECRET.getBytes(StandardCharsets.UTF_8));
    }

    private static Instant expiryAfter(Duration ttl) {
        return Instant.ofEpochSecond(Instant.now().plus(ttl).getEpochSecond());
    }

    private JsonNode connect(String client, String token) {
        return driver.connect(client, url, "0.5.0", token);
    }

    @Test
    void connectionsOfOnePrincipalAreCappedPerReplica() {
        String token = token("capped-" + run, Duration.ofHours(1));
        for (int i = 0; i < SmcpGateways.CONNECTIONS_PER_PRINCIPAL; i++) {
            assertTrue(connect("c" + i + "-" + run, token).path("ok").asBoolean(), "connection " + i);
        }
        JsonNode refused = connect("over-" + run, token);
        assertFalse(refused.path("ok").asBoolean(), refused.toString());
        String error = refused.path("error").asText();
        assertTrue(error.startsWith("Too many connections {"), error);
        JsonNode data = McpSteps.readTree(error.substring(error.indexOf('{')));
        assertEquals(429, data.path("code").asInt(), error);
        assertEquals(SmcpGateways.CONNECTIONS_PER_PRINCIPAL, data.path("details").path("limit").asInt(), error);
        assertEquals("principal", data.path("details").path("scope").asText(), error);

        assertTrue(connect("other-" + run, token("uncapped-" + run, Duration.ofHours(1))).path("ok").asBoolean(),
                "another principal has connections of its own");
        driver.disconnect("c0-" + run);
        Conditions.await("a connection ended frees its slot", WAIT,
                () -> connect("again-" + run + "-" + System.nanoTime(), token).path("ok").asBoolean());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void aTokenThatExpiresWhileConnectedEndsTheConnection(String version) {
        String office = Offices.office();
        String agent = "expiring-" + run;
        JsonNode connected = driver.connect(agent, url, version, token("expiring-" + run, Duration.ofSeconds(8)));
        assertTrue(connected.path("ok").asBoolean(), connected.toString());
        offices.join(agent, "agent", agent, office);
        String witness = offices.connect("witness-" + run, gateways.first.url(), version);
        offices.join(witness, "computer", witness, office);

        JsonNode reason = driver.waitEvent(agent, "disconnect", WAIT.toMillis());
        assertEquals("io server disconnect", reason.path(0).asText(), reason.toString());
        JsonNode left = driver.waitEvent(witness, "notify:leave_office", WAIT.toMillis());
        assertEquals(agent, left.path(0).path("agent").asText(), left.toString());
        JsonNode again = driver.connect("late-" + run, url, version, token("expiring-" + run, Duration.ofSeconds(-1)));
        assertFalse(again.path("ok").asBoolean(), "an expired token does not connect: " + again);
    }

    @Test
    void anMcpSessionsOfficeBindingEndsWithItsToken() {
        String office = officeWithProbeComputer();

        String subject = "binder-" + run;
        // long enough for two sessions to open and bind on a loaded machine
        Instant shortExpiry = expiryAfter(Duration.ofSeconds(15));
        String shortToken = token(subject, Duration.ofSeconds(15));
        String longToken = token(subject, Duration.ofHours(1));
        McpBridgeSession expiring = McpBridgeSession.open(url, shortToken);
        McpBridgeSession renewed = McpBridgeSession.open(url, shortToken);
        JsonNode joined = expiring.call(shortToken, "smcp_join_office", McpBridgeSession.args().put("office_id", office));
        assertFalse(joined.path("result").path("isError").asBoolean(), joined.toString());
        renewed.call(shortToken, "smcp_join_office", McpBridgeSession.args().put("office_id", office));
        assertTrue(renewed.toolNames(longToken).contains("probe__t"), "a later token extends a live binding");

        Conditions.await("the short token expired", WAIT, () -> Instant.now().isAfter(shortExpiry));
        assertFalse(expiring.toolNames(longToken).contains("probe__t"),
                "the binding ended with the token that made it: the office's tools are gone");
        JsonNode left = expiring.call(longToken, "smcp_leave_office", McpBridgeSession.args()).path("result");
        assertFalse(left.path("isError").asBoolean(), left.toString());
        assertFalse(left.path("structuredContent").has("left"), "nothing left to leave: " + left);
        assertTrue(renewed.toolNames(longToken).contains("probe__t"), "the extended binding lives on");
    }
}

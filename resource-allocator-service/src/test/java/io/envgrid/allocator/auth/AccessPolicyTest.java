package io.envgrid.allocator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.config.AuthMode;
import io.envgrid.allocator.error.ApiException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The explicit open mode (issue 11): no token means no start, unless open is asked for; open refuses tokens. */
class AccessPolicyTest {

    @Test
    void tokenModeWithoutAServiceTokenDoesNotStart() {
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> new AccessPolicy(AuthMode.TOKEN, Optional.empty(), Optional.empty()));
        assertTrue(none.getMessage().contains("envgrid.allocator.auth=open"), none.getMessage());
        assertThrows(IllegalStateException.class, () -> new AccessPolicy(AuthMode.TOKEN, Optional.of(" "), Optional.empty()));
        assertThrows(IllegalStateException.class, () -> new AccessPolicy(AuthMode.TOKEN, Optional.empty(), Optional.of("key")));
    }

    @Test
    void openModeWithTokensDoesNotStart() {
        assertThrows(IllegalStateException.class, () -> new AccessPolicy(AuthMode.OPEN, Optional.of("t"), Optional.empty()));
        assertThrows(IllegalStateException.class, () -> new AccessPolicy(AuthMode.OPEN, Optional.empty(), Optional.of("k")));
    }

    @Test
    void openModeAdmitsEveryoneAsOneAnonymousPrincipal() {
        AccessPolicy open = new AccessPolicy(AuthMode.OPEN, Optional.empty(), Optional.empty());
        assertEquals(new Principal.Open(), open.authenticate(null, "/allocate"));
        assertEquals(new Principal.Open(), open.authenticate("Bearer anything", "/resources"));
        assertEquals(new Principal.Open(), open.operator());
    }

    @Test
    void tokenModeTellsServiceAndAgentsApart() {
        AccessPolicy policy = new AccessPolicy(AuthMode.TOKEN, Optional.of("s3cret"), Optional.of("key"));
        String agentA = new AgentTokens("key").mint("host-a");
        assertEquals(new Principal.Service(), policy.authenticate("Bearer s3cret", "/allocate"));
        assertEquals(new Principal.Agent("host-a"), policy.authenticate("Bearer " + agentA, "/resources/x/reset"));
        assertEquals(new Principal.Service(), policy.operator());
        assertEquals(401, assertThrows(ApiException.class, () -> policy.authenticate(null, "/stats")).status());
        assertEquals(401, assertThrows(ApiException.class, () -> policy.authenticate("Bearer nope", "/stats")).status());
        assertEquals(403, assertThrows(ApiException.class, () -> policy.authenticate("Bearer " + agentA, "/renew")).status());
    }

    @Test
    void withoutAKeyAgentTokensAreNotAccepted() {
        AccessPolicy policy = new AccessPolicy(AuthMode.TOKEN, Optional.of("s3cret"), Optional.empty());
        String agentA = new AgentTokens("key").mint("host-a");
        assertEquals(401, assertThrows(ApiException.class, () -> policy.authenticate("Bearer " + agentA, "/resources")).status());
    }

    @Test
    void agentTokensNameExactlyOneAgent() {
        AgentTokens tokens = new AgentTokens("key");
        assertEquals(Optional.of("host.a-1"), tokens.verify(tokens.mint("host.a-1")));
        assertEquals(Optional.empty(), tokens.verify(tokens.mint("host-a") + "x"));
        assertEquals(Optional.empty(), tokens.verify("eag1..abc"));
        assertEquals(Optional.empty(), tokens.verify("s3cret"));
        assertThrows(IllegalArgumentException.class, () -> tokens.mint("bad id"));
    }
}

package io.envgrid.gateway.smcp.office;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.security.WorkerPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrincipalConnectionsTest {

    private static Principal token(String name) {
        return new Principal.Authenticated(name, List.of(WorkerPattern.parse(name)));
    }

    @Test
    void eachPrincipalHoldsAtMostTheCapAndAReleaseFreesOne() {
        PrincipalConnections connections = new PrincipalConnections(2);
        assertTrue(connections.admit(token("alice")));
        assertTrue(connections.admit(token("alice")));
        assertFalse(connections.admit(token("alice")), "a third connection of alice");
        assertTrue(connections.admit(token("bob")), "another principal has its own count");
        connections.release(token("alice"));
        assertTrue(connections.admit(token("alice")), "a freed slot is taken again");
        assertFalse(connections.admit(token("alice")));
    }

    @Test
    void openModeCallersAreNotCounted() {
        PrincipalConnections connections = new PrincipalConnections(1);
        for (int i = 0; i < 5; i++) {
            assertTrue(connections.admit(Principal.Open.INSTANCE));
        }
    }
}

package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.support.SocketIoDriver;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Offices belong to the principals whose token covers their id: two tenants ({@link SmcpGateways#TOKEN}, offices
 * {@code office-…}; {@link SmcpGateways#OTHER_TOKEN}, offices {@code other-…}) on the two replicas. Neither can join,
 * list or call into the other's office, a name one tenant uses in its own office keeps no Computer of the other out of
 * the other's, no agent joins under the MCP bridge's {@code mcp:} names, and the name a relayed call carries is the
 * caller's session name, whatever its payload says.
 */
class SmcpTenancyIT extends SmcpClients {

    private String tenantA(String name, String version) {
        return client(name, version);
    }

    private String tenantB(String name, String version) {
        String client = name + "-" + run;
        driver.ok(SocketIoDriver.command("connect").put("client", client).put("url", gateways.second.url())
                .put("version", version).set("auth", SocketIoDriver.object().put("token", SmcpGateways.OTHER_TOKEN)));
        return client;
    }

    private static String otherOffice() {
        return "other-" + UUID.randomUUID();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void neitherTenantCanJoinListOrCallIntoTheOthersOffice(String version) {
        boolean v5 = version.equals("0.5.0");
        String officeA = Offices.office();
        String officeB = otherOffice();
        String agentA = tenantA("agentA", version);
        String boxA = tenantA("boxA", version);
        String agentB = tenantB("agentB", version);
        String boxB = tenantB("boxB", version);
        offices.join(agentA, "agent", agentA, officeA);
        offices.join(boxA, "computer", boxA, officeA);
        driver.serve(boxA, "client:get_tools", SocketIoDriver.array().add(Offices.noTools()), 0);
        driver.waitEvent(agentA, "notify:enter_office", Offices.ACK_MS);

        // B may not sit in A's office, in either role, nor A in B's
        for (String[] attempt : new String[][] {{agentB, "agent", officeA}, {boxB, "computer", officeA}, {agentA, "agent", officeB}}) {
            ArrayNode refusal = offices.join(attempt[0], attempt[1], attempt[0], attempt[2]);
            if (v5) {
                assertEquals(Offices.error(403, "Forbidden", SocketIoDriver.object().put("office_id", attempt[2])), refusal);
            } else {
                assertEquals(Offices.refused04("Forbidden: the token does not cover office '" + attempt[2] + "'"), refusal);
            }
        }
        assertEquals("", offices.eventNames(agentA), "A's office heard no one enter");

        // B in its own office sees only its own members, and reaches none of A's Computers
        offices.join(agentB, "agent", agentB, officeB);
        offices.join(boxB, "computer", boxB, officeB);
        assertEquals(2, offices.listRoom(agentB, agentB, officeB).get(0).path("sessions").size());
        if (v5) {
            assertEquals(Offices.error(4104, "Cannot list another room", SocketIoDriver.object().put("office_id", officeA)),
                    offices.listRoom(agentB, agentB, officeA));
        } else {
            assertTrue(offices.unanswered(agentB, "server:list_room", SocketIoDriver.object().put("agent", agentB)
                    .put("req_id", "r").put("office_id", officeA)));
        }
        assertEquals(Offices.error(404, "Computer with name '" + boxA + "' not found",
                SocketIoDriver.object().put("computer_name", boxA)),
                Offices.acked(driver.emit(agentB, "client:get_tools", Offices.ACK_MS, Offices.call(agentB, boxA))));
        assertFalse(offices.eventNames(boxA).contains("served:"), "nothing reached A's Computer");

        // A's own flow still works
        assertEquals(SocketIoDriver.array().add(Offices.noTools()).toString(),
                Offices.acked(driver.emit(agentA, "client:get_tools", Offices.ACK_MS, Offices.call(agentA, boxA))).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void aRelayedCallCarriesTheCallersOwnName(String version) {
        String office = Offices.office();
        String agent = tenantA("agent", version);
        String box = tenantA("box", version);
        offices.join(agent, "agent", agent, office);
        offices.join(box, "computer", box, office);
        driver.serve(box, "client:tool_call", SocketIoDriver.array().add(SocketIoDriver.object().put("isError", false)), 0);
        ObjectNode spoofed = Offices.call("someone-else", box).put("robot_id", "someone-else").put("tool_name", "box__t")
                .put("timeout", 5);
        spoofed.putObject("params");
        Offices.acked(driver.emit(agent, "client:tool_call", Offices.ACK_MS, spoofed));
        ObjectNode served = (ObjectNode) driver.waitEvent(box, "served:client:tool_call", Offices.ACK_MS).get(0);
        assertEquals(agent, served.path("agent").asText());
        assertEquals(agent, served.path("robot_id").asText());
    }

    /**
     * A tenant's Computer joins its own office under its own name even when another tenant took that name first in
     * an office of its own (hostile review 22): names are resolved per office (client:* and the bridge alike), so a
     * name held across offices lets any tenant keep another's Computers — the device agent's default name is its
     * agent id — out of their offices, and tells it which names other tenants use.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void anotherTenantCannotKeepAComputerOutOfItsOwnOfficeByTakingItsNameFirst(String version) {
        String name = "host-" + run;
        String squatter = tenantB("squatter", version);
        driver.serve(squatter, "client:get_tools", SocketIoDriver.array().add(SocketIoDriver.object().put("squatter", true)), 0);
        assertTrue(offices.join(squatter, "computer", name, otherOffice()).toString().matches("\\[\\]|\\[true,null\\]"),
                "tenant B may name its own Computer as it likes");

        String officeA = Offices.office();
        String agentA = tenantA("agentA", version);
        String boxA = tenantA("boxA", version);
        offices.join(agentA, "agent", agentA, officeA);
        assertTrue(offices.join(boxA, "computer", name, officeA).toString().matches("\\[\\]|\\[true,null\\]"),
                "tenant A's Computer is refused its own office");
        driver.serve(boxA, "client:get_tools", SocketIoDriver.array().add(Offices.noTools()), 0);
        assertEquals(SocketIoDriver.array().add(Offices.noTools()).toString(),
                Offices.acked(driver.emit(agentA, "client:get_tools", Offices.ACK_MS, Offices.call(agentA, name))).toString(),
                "A's agent reaches A's Computer, not B's");
        assertFalse(offices.eventNames(squatter).contains("served:"), "nothing reached B's Computer");
    }

    /**
     * The MCP bridge calls Computers as agent {@code mcp:<token principal>}; an SMCP agent must not take such a name
     * (hostile review 22), or it poses to the office's Computers as another principal's MCP session.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void anAgentCannotTakeTheBridgesNameOfAPrincipal(String version) {
        String office = Offices.office();
        String poser = tenantA("poser", version);
        ArrayNode ack = offices.join(poser, "agent", "mcp:smcp-other", office);
        assertFalse(ack.toString().matches("\\[\\]|\\[true,null\\]"), "seated as mcp:smcp-other: " + ack);
    }
}

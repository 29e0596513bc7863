package io.envgrid.gateway.smcp;

import static io.envgrid.gateway.smcp.Offices.ok04;
import static io.envgrid.gateway.smcp.Offices.refused04;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.support.SocketIoDriver;
import org.junit.jupiter.api.Test;

/**
 * The room rules and acknowledgement shapes of the released generation (SDK 0.4.0, docs/contracts/smcp.md §4-5), driven
 * by the official socket.io-client acting as agents and Computers.
 */
class RoomRules04IT extends SmcpClients {

    private static final String V = "0.4.0";
    private String client(String name) {
        return client(name, V);
    }

    @Test
    void joinsAnswerOkAndTheOfficeHearsWhoEntered() {
        String office = Offices.office();
        String agent = client("agent");
        String computer = client("computer");
        assertEquals(ok04(), offices.join(agent, "agent", agent, office));
        assertEquals(ok04(), offices.join(computer, "computer", computer, office));
        JsonNode entered = driver.waitEvent(agent, "notify:enter_office", Offices.ACK_MS);
        assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("office_id", office).put("computer", computer)), entered);
        assertEquals("", offices.eventNames(computer), "the joiner does not hear its own entry");

        // a rejoin is accepted and announced to no one
        assertEquals(ok04(), offices.join(computer, "computer", computer, office));
        assertEquals(2, offices.listRoom(agent, agent, office).get(0).path("sessions").size());
        assertEquals("", offices.eventNames(agent));
    }

    @Test
    void oneAgentPerOfficeAndAnAgentStaysInItsOffice() {
        String office = Offices.office();
        String first = client("agent1");
        String second = client("agent2");
        assertEquals(ok04(), offices.join(first, "agent", first, office));
        assertEquals(refused04("Internal server error: Agent already in room"), offices.join(second, "agent", second, office));
        assertEquals(refused04("Internal server error: Agent sid already in room"),
                offices.join(first, "agent", first, Offices.office()));
        assertEquals(refused04("Role mismatch, expected computer, but agent use this sid exists"),
                offices.join(first, "computer", first, office));
    }

    @Test
    void computerNamesAreUniqueInAnOfficeAndARenameIsAccepted() {
        String office = Offices.office();
        String one = client("c1");
        String two = client("c2");
        assertEquals(ok04(), offices.join(one, "computer", "box", office));
        assertEquals(refused04("Internal server error: Computer with name 'box' already exists in room '" + office + "'"),
                offices.join(two, "computer", "box", office));
        assertEquals(ok04(), offices.join(one, "computer", "box-renamed", office));
        assertEquals(ok04(), offices.join(two, "computer", "box", office));
    }

    @Test
    void aComputerMovingLeavesItsOldOfficeFirst() {
        String x = Offices.office();
        String y = Offices.office();
        String agentX = client("ax");
        String agentY = client("ay");
        String computer = client("mover");
        offices.join(agentX, "agent", agentX, x);
        offices.join(agentY, "agent", agentY, y);
        offices.join(computer, "computer", "mover", x);
        driver.waitEvent(agentX, "notify:enter_office", Offices.ACK_MS);
        assertEquals(ok04(), offices.join(computer, "computer", "mover", y));
        assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("office_id", x).put("computer", "mover")),
                driver.waitEvent(agentX, "notify:leave_office", Offices.ACK_MS));
        assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("office_id", y).put("computer", "mover")),
                driver.waitEvent(agentY, "notify:enter_office", Offices.ACK_MS));
    }

    @Test
    void anInvalidJoinGetsNoAck() {
        String agent = client("bad");
        assertTrue(offices.unanswered(agent, "server:join_office", SocketIoDriver.object().put("role", "robot")
                .put("name", "x").put("office_id", "o")));
        assertTrue(offices.unanswered(agent, "server:join_office"));
    }

    @Test
    void anEmptyNameBecomesRoleAndSidPrefix() {
        String office = Offices.office();
        String agent = client("anon");
        assertEquals(ok04(), offices.join(agent, "agent", "", office));
        JsonNode sessions = Offices.acked(driver.emit(agent, "server:list_room", Offices.ACK_MS, SocketIoDriver.object()
                .put("agent", "x").put("req_id", "r1").put("office_id", office))).get(0).path("sessions");
        assertEquals(1, sessions.size());
        JsonNode me = sessions.get(0);
        assertEquals("agent_" + me.path("sid").asText().substring(0, 6), me.path("name").asText());
    }

    @Test
    void listRoomAnswersTheOwnOfficeOnly() {
        String office = Offices.office();
        String agent = client("lister");
        String computer = client("listed");
        offices.join(agent, "agent", "lister", office);
        offices.join(computer, "computer", "listed", office);
        JsonNode ret = offices.listRoom(agent, "lister", office).get(0);
        assertEquals("list-1", ret.path("req_id").asText());
        assertEquals(2, ret.path("sessions").size());
        for (JsonNode session : ret.path("sessions")) {
            assertEquals(office, session.path("office_id").asText());
            assertEquals(V, session.path("a2c_version").asText());
            assertTrue(session.path("sid").isTextual());
        }
        assertTrue(offices.unanswered(agent, "server:list_room", SocketIoDriver.object().put("agent", "lister")
                .put("req_id", "r").put("office_id", Offices.office())));
    }

    @Test
    void leavingAndDisconnectingAreAnnounced() {
        String office = Offices.office();
        String agent = client("stayer");
        String computer = client("leaver");
        String other = client("dropper");
        offices.join(agent, "agent", "stayer", office);
        offices.join(computer, "computer", "leaver", office);
        offices.join(other, "computer", "dropper", office);
        assertEquals(ok04(), offices.leave(computer, office));
        assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("office_id", office).put("computer", "leaver")),
                driver.waitEvent(agent, "notify:leave_office", Offices.ACK_MS));
        driver.disconnect(other);
        assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("office_id", office).put("computer", "dropper")),
                driver.waitEvent(agent, "notify:leave_office", Offices.ACK_MS));
        assertEquals(1, offices.listRoom(agent, "stayer", office).get(0).path("sessions").size());
        // a leave naming an office the member is not in changes nothing
        assertEquals(ok04(), offices.leave(agent, Offices.office()));
        assertEquals(1, offices.listRoom(agent, "stayer", office).get(0).path("sessions").size());
    }
}

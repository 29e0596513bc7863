package io.envgrid.gateway.smcp;

import static io.envgrid.gateway.smcp.Offices.error;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.envgrid.gateway.support.SocketIoDriver;
import org.junit.jupiter.api.Test;

/**
 * The room rules and acknowledgement shapes of protocol 0.5.0 (docs/contracts/smcp.md §4-5: empty ack on success, flat
 * ErrorPayload refusals 400/403/4101/4103/4104/4105/4106), driven by the official socket.io-client.
 */
class RoomRules05IT extends SmcpClients {

    private static final String V = "0.5.0";
    private static final ArrayNode EMPTY = SocketIoDriver.array();
    private String client(String name) {
        return client(name, V);
    }

    private static JsonNode officeDetails(String office) {
        return SocketIoDriver.object().put("office_id", office);
    }

    @Test
    void joinsAnswerAnEmptyAckAndARejoinIsNotAnnounced() {
        String office = Offices.office();
        String agent = client("agent");
        String computer = client("computer");
        assertEquals(EMPTY, offices.join(agent, "agent", agent, office));
        assertEquals(EMPTY, offices.join(computer, "computer", computer, office));
        assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("office_id", office).put("computer", computer)),
                driver.waitEvent(agent, "notify:enter_office", Offices.ACK_MS));
        assertEquals(EMPTY, offices.join(computer, "computer", computer, office));
        assertEquals(2, offices.listRoom(agent, agent, office).get(0).path("sessions").size());
        assertEquals("", offices.eventNames(agent));
        assertEquals("", offices.eventNames(computer));
    }

    @Test
    void oneAgentPerOffice4101AndNoAutoMove4106() {
        String office = Offices.office();
        String other = Offices.office();
        String first = client("a1");
        String second = client("a2");
        offices.join(first, "agent", "a1", office);
        assertEquals(error(4101, "Room already has an agent", SocketIoDriver.object().put("office_id", office)),
                offices.join(second, "agent", "a2", office));
        assertEquals(error(4106, "Agent already in another room", SocketIoDriver.object().put("office_id", office)),
                offices.join(first, "agent", "a1", other));
        // after leaving, the agent may join elsewhere
        assertEquals(EMPTY, offices.leave(first, office));
        assertEquals(EMPTY, offices.join(first, "agent", "a1", other));
    }

    @Test
    void identityIsFixedPerConnection403() {
        String office = Offices.office();
        String member = client("fixed");
        offices.join(member, "computer", "fixed", office);
        assertEquals(error(403, "Forbidden", null), offices.join(member, "agent", "fixed", office));
        assertEquals(error(403, "Forbidden", null), offices.join(member, "computer", "renamed", office));
    }

    @Test
    void namesArePerOfficeAndRole4105() {
        String office = Offices.office();
        String one = client("n1");
        String two = client("n2");
        String agent = client("n3");
        offices.join(one, "computer", "same", office);
        assertEquals(error(4105, "Name already taken in room", SocketIoDriver.object().put("office_id", office).put("role", "computer")),
                offices.join(two, "computer", "same", office));
        // the same name in another office, or for the other role, is fine
        assertEquals(EMPTY, offices.join(two, "computer", "same", Offices.office()));
        assertEquals(EMPTY, offices.join(agent, "agent", "same", office));
    }

    @Test
    void aComputerMoveIsCheckedBeforeItLeaves() {
        String x = Offices.office();
        String y = Offices.office();
        String agentX = client("ax");
        String agentY = client("ay");
        String holder = client("holder");
        String mover = client("mover");
        offices.join(agentX, "agent", "ax", x);
        offices.join(agentY, "agent", "ay", y);
        offices.join(holder, "computer", "box", y);
        offices.join(mover, "computer", "box", x);
        driver.waitEvent(agentX, "notify:enter_office", Offices.ACK_MS);
        assertEquals(error(4105, "Name already taken in room", SocketIoDriver.object().put("office_id", y).put("role", "computer")),
                offices.join(mover, "computer", "box", y));
        assertEquals(2, offices.listRoom(agentX, "ax", x).get(0).path("sessions").size(), "a refused move stays put");
        assertEquals("", offices.eventNames(agentX));
        driver.disconnect(holder);
        driver.waitEvent(agentY, "notify:leave_office", Offices.ACK_MS);
        assertEquals(EMPTY, offices.join(mover, "computer", "box", y));
        assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("office_id", x).put("computer", "box")),
                driver.waitEvent(agentX, "notify:leave_office", Offices.ACK_MS));
    }

    @Test
    void invalidPayloads400() {
        String member = client("bad");
        ArrayNode invalid = error(400, "Invalid request payload", null);
        assertEquals(invalid, Offices.acked(driver.emit(member, "server:join_office", Offices.ACK_MS)));
        assertEquals(invalid, Offices.acked(driver.emit(member, "server:join_office", Offices.ACK_MS,
                Offices.joinReq("agent", "a", ""))));
        assertEquals(invalid, Offices.acked(driver.emit(member, "server:join_office", Offices.ACK_MS,
                Offices.joinReq("robot", "a", "o"))));
        assertEquals(invalid, Offices.acked(driver.emit(member, "server:join_office", Offices.ACK_MS,
                Offices.joinReq("agent", "a", "o"), SocketIoDriver.object())));
        assertEquals(invalid, Offices.acked(driver.emit(member, "server:leave_office", Offices.ACK_MS)));
        assertEquals(invalid, Offices.acked(driver.emit(member, "server:list_room", Offices.ACK_MS,
                SocketIoDriver.object().put("office_id", "o"))));
    }

    @Test
    void listRoomRules4103And4104() {
        String office = Offices.office();
        String other = Offices.office();
        String agent = client("lister");
        assertEquals(error(4103, "Not in any room", null), offices.listRoom(agent, "lister", office));
        offices.join(agent, "agent", "lister", office);
        assertEquals(error(4104, "Cannot list another room", SocketIoDriver.object().put("office_id", other)),
                offices.listRoom(agent, "lister", other));
        JsonNode ret = offices.listRoom(agent, "lister", office).get(0);
        assertEquals("list-1", ret.path("req_id").asText());
        assertEquals("lister", ret.path("sessions").get(0).path("name").asText());
        assertEquals(V, ret.path("sessions").get(0).path("a2c_version").asText());
    }

    @Test
    void leaveUsesTheSessionsOfficeAndIsIdempotent() {
        String office = Offices.office();
        String agent = client("stays");
        String computer = client("goes");
        assertEquals(EMPTY, offices.leave(computer, office), "no office: success");
        offices.join(agent, "agent", "stays", office);
        offices.join(computer, "computer", "goes", office);
        driver.waitEvent(agent, "notify:enter_office", Offices.ACK_MS);
        assertEquals(EMPTY, offices.leave(computer, "some-other-office"));
        assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("office_id", office).put("computer", "goes")),
                driver.waitEvent(agent, "notify:leave_office", Offices.ACK_MS));
        assertEquals(1, offices.listRoom(agent, "stays", office).get(0).path("sessions").size());
    }
}

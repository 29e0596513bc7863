package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.support.SocketIoDriver;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code client:*} relays, cancels and update notices in both generations. The Computer here is a test stand-in: a
 * socket.io-client that speaks the protocol (joins as a computer, answers {@code client:*} with canned results);
 * the device agent's real Computer role is built and tested on its own.
 */
class ClientCallsIT extends SmcpClients {

    private String url;
    private String office;
    private String agent;
    private String computer;

    @BeforeEach
    void newOffice() {
        url = gateways.first.url();
        office = Offices.office();
    }

    /** An agent and a fake Computer of generation {@code version} in a fresh office. */
    private void seat(String version) {
        agent = client("agent", version);
        computer = client("computer", version);
        offices.join(agent, "agent", agent, office);
        offices.join(computer, "computer", computer, office);
        driver.waitEvent(agent, "notify:enter_office", Offices.ACK_MS);
    }

    private static ArrayNode reply(JsonNode... args) {
        ArrayNode reply = SocketIoDriver.array();
        for (JsonNode arg : args) {
            reply.add(arg);
        }
        return reply;
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void everyClientCallReachesTheNamedComputerAndItsAnswerComesBackVerbatim(String version) {
        seat(version);
        ObjectNode toolResult = SocketIoDriver.object().put("isError", false);
        toolResult.putArray("content").addObject().put("type", "text").put("text", "42");
        toolResult.putObject("meta").put("a2c_tool", "calc");
        driver.serve(computer, "client:tool_call", reply(toolResult), 0);
        ObjectNode request = Offices.call(agent, computer).put("tool_name", "box__calc").put("timeout", 5);
        request.putObject("params").put("expr", "6*7");
        assertEquals(reply(toolResult), Offices.acked(driver.emit(agent, "client:tool_call", Offices.ACK_MS, request)));
        assertEquals(reply(request), driver.waitEvent(computer, "served:client:tool_call", Offices.ACK_MS),
                "relayed verbatim, computer field included");

        for (String event : new String[] {"client:get_tools", "client:get_config", "client:get_desktop", "client:get_resources",
            "client:get_skills", "client:get_skill", "client:get_blob", "client:put_blob"}) {
            ObjectNode answer = SocketIoDriver.object().put("answered", event);
            driver.serve(computer, event, reply(answer), 0);
            ObjectNode call = Offices.call(agent, computer);
            assertEquals(reply(answer), Offices.acked(driver.emit(agent, event, Offices.ACK_MS, call)), event);
            assertEquals(reply(call), driver.waitEvent(computer, "served:" + event, Offices.ACK_MS), event);
        }
        // the seed's name of get_config, and robot_id for agent
        ObjectNode seedCall = SocketIoDriver.object().put("robot_id", agent).put("req_id", "seed-1").put("computer", computer);
        assertEquals(reply(SocketIoDriver.object().put("answered", "client:get_config")),
                Offices.acked(driver.emit(agent, "client:get_mcp_config", Offices.ACK_MS, seedCall)));
        assertEquals(agent, driver.waitEvent(computer, "served:client:get_config", Offices.ACK_MS).get(0).path("agent").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void aComputerOutsideTheCallersOfficeIsNotFound(String version) {
        seat(version);
        String elsewhere = offices.connect("elsewhere-" + UUID.randomUUID(), url, version);
        offices.join(elsewhere, "computer", "far-box", Offices.office());
        driver.serve(elsewhere, "client:get_tools", reply(SocketIoDriver.object()), 0);
        for (String name : new String[] {"far-box", "no-such-box", agent}) {
            assertEquals(Offices.error(404, "Computer with name '" + name + "' not found",
                    SocketIoDriver.object().put("computer_name", name)),
                    Offices.acked(driver.emit(agent, "client:get_tools", Offices.ACK_MS, Offices.call(agent, name))));
        }
        assertEquals("", offices.eventNames(elsewhere), "nothing reached the other office's computer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void onlyAgentsInAnOfficeMayCall(String version) {
        seat(version);
        String loner = offices.connect("loner-" + UUID.randomUUID(), url, version);
        JsonNode fromComputer = driver.emit(computer, "client:get_tools", Offices.NO_ACK_MS, Offices.call(computer, computer));
        JsonNode fromNowhere = driver.emit(loner, "client:get_tools", Offices.NO_ACK_MS, Offices.call(loner, computer));
        if (version.equals("0.5.0")) {
            assertEquals(Offices.error(403, "Only agents may issue client:* calls", null), Offices.acked(fromComputer));
            offices.join(loner, "agent", "loner", Offices.office());
            offices.leave(loner, "any");
            assertEquals(Offices.error(4103, "Not in any room", null), Offices.acked(
                    driver.emit(loner, "client:get_tools", Offices.ACK_MS, Offices.call("loner", computer))));
            assertEquals(Offices.error(400, "Invalid request payload", null), Offices.acked(
                    driver.emit(agent, "client:get_tools", Offices.ACK_MS, SocketIoDriver.object().put("computer", computer))));
        } else {
            assertFalse(fromComputer.path("acked").asBoolean(), "0.4 gives no ack");
            assertFalse(fromNowhere.path("acked").asBoolean(), "0.4 gives no ack");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void aToolCallPastItsTimeoutGetsNoAckAndADisconnectedComputerIs404(String version) throws Exception {
        seat(version);
        // the Computer answers after 2 s; the call allowed 1 s: the agent gets no ack, the late answer is dropped
        driver.serve(computer, "client:tool_call", reply(SocketIoDriver.object().put("isError", false)), 2000);
        ObjectNode slow = Offices.call(agent, computer).put("tool_name", "box__sleep").put("timeout", 1);
        slow.putObject("params");
        assertFalse(driver.emit(agent, "client:tool_call", 3500, slow).path("acked").asBoolean());

        // a Computer (on another client process) that disconnects while a call waits for it: the flat 404 at once
        try (SocketIoDriver other = SocketIoDriver.start()) {
            String dropper = new Offices(other).connect("dropper-" + UUID.randomUUID(), url, version);
            new Offices(other).join(dropper, "computer", "dropper", office);
            other.serve(dropper, "client:tool_call", null, 0);
            Thread disconnect = new Thread(() -> {
                other.waitEvent(dropper, "served:client:tool_call", Offices.ACK_MS);
                other.disconnect(dropper);
            });
            disconnect.start();
            ObjectNode call = Offices.call(agent, "dropper").put("tool_name", "box__sleep").put("timeout", 30);
            call.putObject("params");
            long started = System.nanoTime();
            assertEquals(Offices.error(404, "Computer with name 'dropper' not found",
                    SocketIoDriver.object().put("computer_name", "dropper")),
                    Offices.acked(driver.emit(agent, "client:tool_call", 10000, call)));
            assertTrue(System.nanoTime() - started < 8_000_000_000L, "answered when the Computer left, not at the timeout");
            disconnect.join();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void cancelsAndUpdatesReachTheOfficeWithoutTheSender(String version) {
        seat(version);
        String witness = offices.connect("witness-" + UUID.randomUUID(), url, version);
        offices.join(witness, "computer", "witness", office);
        driver.waitEvent(agent, "notify:enter_office", Offices.ACK_MS);
        driver.waitEvent(computer, "notify:enter_office", Offices.ACK_MS);

        driver.send(agent, "server:tool_call_cancel", SocketIoDriver.object().put("agent", agent).put("req_id", "r-9"));
        JsonNode cancel = SocketIoDriver.array().add(SocketIoDriver.object().put("agent", agent).put("req_id", "r-9"));
        assertEquals(cancel, driver.waitEvent(computer, "notify:tool_call_cancel", Offices.ACK_MS));
        assertEquals(cancel, driver.waitEvent(witness, "notify:tool_call_cancel", Offices.ACK_MS));

        driver.send(computer, "server:update_tool_list", SocketIoDriver.object().put("computer", computer));
        JsonNode update = SocketIoDriver.array().add(SocketIoDriver.object().put("computer", computer));
        assertEquals(update, driver.waitEvent(agent, "notify:update_tool_list", Offices.ACK_MS));
        assertEquals(update, driver.waitEvent(witness, "notify:update_tool_list", Offices.ACK_MS));
        driver.send(computer, "server:update_mcp_config", SocketIoDriver.object().put("computer", computer));
        assertEquals(update, driver.waitEvent(agent, "notify:update_config", Offices.ACK_MS));
        assertEquals(update, driver.waitEvent(agent, "notify:update_mcp_config", Offices.ACK_MS));
        driver.send(computer, "server:desktop_refresh", SocketIoDriver.object().put("computer", computer));
        assertEquals(update, driver.waitEvent(agent, "notify:update_desktop", Offices.ACK_MS));
        driver.send(computer, "server:update_skills", SocketIoDriver.object().put("computer", computer));
        assertEquals(update, driver.waitEvent(agent, "notify:update_skills", Offices.ACK_MS));
        // a cancel asking for an ack gets an empty one, never an error
        assertEquals(SocketIoDriver.array(), Offices.acked(driver.emit(agent, "server:tool_call_cancel", Offices.ACK_MS,
                SocketIoDriver.object().put("agent", agent).put("req_id", "r-10"))));
        driver.waitEvent(computer, "notify:tool_call_cancel", Offices.ACK_MS);
        driver.waitEvent(witness, "notify:tool_call_cancel", Offices.ACK_MS);

        // a 0.4 cancel naming another agent is dropped; 0.5 puts the session's name in
        driver.send(agent, "server:tool_call_cancel", SocketIoDriver.object().put("agent", "someone-else").put("req_id", "r-11"));
        if (version.equals("0.5.0")) {
            assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("agent", agent).put("req_id", "r-11")),
                    driver.waitEvent(computer, "notify:tool_call_cancel", Offices.ACK_MS));
            driver.waitEvent(witness, "notify:tool_call_cancel", Offices.ACK_MS);
        }
        driver.send(computer, "server:update_desktop", SocketIoDriver.object().put("computer", computer));
        driver.waitEvent(agent, "notify:update_desktop", Offices.ACK_MS);
        driver.waitEvent(witness, "notify:update_desktop", Offices.ACK_MS);
        String senderHeard = offices.eventNames(computer);
        assertFalse(senderHeard.contains("notify:update"), "the sender hears none of its own notices: " + senderHeard);
        assertFalse(offices.eventNames(agent).contains("notify:tool_call_cancel"), "nor the agent its cancels");
        assertFalse(offices.eventNames(witness).contains("notify:tool_call_cancel"), "no cancel beyond those awaited (the 0.4 one naming another agent was dropped)");
    }

    /**
     * A Computer's update notice names the sender, in 0.4 as in 0.5: a 0.4 Computer's payload {@code computer} naming
     * another Computer of the office must not make the office hear that the other one's tools, config or desktop
     * changed (hostile review 22; the 0.4 reference passed the payload's name on, 0.5 #216 closed it).
     */
    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.5.0"})
    void anUpdateNoticeNamesItsSenderNotAnotherComputer(String version) {
        seat(version);
        String victim = offices.connect("victim-" + UUID.randomUUID(), url, version);
        offices.join(victim, "computer", victim, office);
        driver.waitEvent(agent, "notify:enter_office", Offices.ACK_MS);

        driver.send(computer, "server:update_tool_list", SocketIoDriver.object().put("computer", victim));
        assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("computer", computer)),
                driver.waitEvent(agent, "notify:update_tool_list", Offices.ACK_MS), "the notice names its sender");
    }
}

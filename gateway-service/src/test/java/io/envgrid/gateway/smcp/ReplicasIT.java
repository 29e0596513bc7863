package io.envgrid.gateway.smcp;

import io.envgrid.testsupport.process.PackagedApp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.support.SocketIoDriver;
import org.junit.jupiter.api.Test;

/**
 * Offices spanning gateway replicas: an agent on one replica and a (fake, test stand-in) Computer on another; calls,
 * cancels and notices cross replicas; a replica killed mid-session takes its members out of their offices.
 */
class ReplicasIT extends SmcpClients {

    @Test
    void anAgentOnOneReplicaWorksWithAComputerOnAnother() {
        String office = Offices.office();
        String agent = offices.connect("agent-" + run, gateways.first.url(), "0.5.0");
        String computer = offices.connect("computer-" + run, gateways.second.url(), "0.5.0");
        offices.join(agent, "agent", agent, office);
        offices.join(computer, "computer", computer, office);
        assertEquals(computer, driver.waitEvent(agent, "notify:enter_office", Offices.ACK_MS).get(0).path("computer").asText());
        assertEquals(2, offices.listRoom(agent, agent, office).get(0).path("sessions").size());

        ObjectNode result = SocketIoDriver.object().put("isError", false);
        result.putArray("content").addObject().put("type", "text").put("text", "across");
        driver.serve(computer, "client:tool_call", SocketIoDriver.array().add(result), 0);
        ObjectNode call = Offices.call(agent, computer).put("tool_name", "box__echo").put("timeout", 5);
        call.putObject("params");
        assertEquals(SocketIoDriver.array().add(result), Offices.acked(driver.emit(agent, "client:tool_call", Offices.ACK_MS, call)));

        driver.send(agent, "server:tool_call_cancel", SocketIoDriver.object().put("agent", agent).put("req_id", "x-1"));
        assertEquals("x-1", driver.waitEvent(computer, "notify:tool_call_cancel", Offices.ACK_MS).get(0).path("req_id").asText());
        driver.send(computer, "server:update_tool_list", SocketIoDriver.object().put("computer", computer));
        assertEquals(computer, driver.waitEvent(agent, "notify:update_tool_list", Offices.ACK_MS).get(0).path("computer").asText());

        // the room rules hold across replicas: a second agent on the other replica is refused
        String intruder = offices.connect("intruder-" + run, gateways.second.url(), "0.5.0");
        assertEquals(4101, offices.join(intruder, "agent", "intruder", office).get(0).path("code").asInt());
    }

    @Test
    void aKilledReplicasMembersLeaveTheirOfficesWithinTheHeartbeatTimeout() {
        PackagedApp doomed = gateways.start("smcp-gateway-doomed");
        try {
            String office = Offices.office();
            String agent = offices.connect("agent-" + run, gateways.first.url(), "0.4.0");
            String computer = offices.connect("computer-" + run, doomed.url(), "0.4.0");
            offices.join(agent, "agent", agent, office);
            offices.join(computer, "computer", "doomed-box", office);
            driver.waitEvent(agent, "notify:enter_office", Offices.ACK_MS);
            driver.serve(computer, "client:tool_call", null, 0);
            ObjectNode call = Offices.call(agent, "doomed-box").put("tool_name", "box__sleep").put("timeout", 30);
            call.putObject("params");
            driver.send(agent, "client:tool_call", call);
            driver.waitEvent(computer, "served:client:tool_call", Offices.ACK_MS);

            long killed = System.nanoTime();
            doomed.kill();
            long budget = SmcpGateways.PING_INTERVAL_MS + SmcpGateways.PING_TIMEOUT_MS;
            JsonNode left = driver.waitEvent(agent, "notify:leave_office", budget + 1000);
            long tookMs = (System.nanoTime() - killed) / 1_000_000;
            assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("office_id", office).put("computer", "doomed-box")), left);
            assertTrue(tookMs <= budget + 1000, "left after " + tookMs + " ms");
            assertEquals(1, offices.listRoom(agent, agent, office).get(0).path("sessions").size());
            // the name is free again: a new Computer of that name joins through a live replica
            String replacement = offices.connect("replacement-" + run, gateways.second.url(), "0.4.0");
            assertEquals(Offices.ok04(), offices.join(replacement, "computer", "doomed-box", office));
        } finally {
            doomed.close();
        }
    }
}

package io.envgrid.gateway.smcp;

import io.envgrid.testsupport.process.PackagedApp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.SocketIoDriver;
import io.envgrid.testsupport.redis.Resp;
import java.net.URI;
import java.time.Duration;
import java.util.List;
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
            Seated seated = seatAcross(doomed, "0.4.0", "doomed-box");
            String office = seated.office();
            String agent = seated.agent();
            String computer = seated.computer();
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

    /**
     * A replica whose liveness key lapsed while it lives (Redis out of reach, or its event loop stalled, for longer than
     * the ping timeout) has its members evicted by the others while their connections stay open. They must not be
     * lost for good (hostile review 22): once the replica beats again its Computer is reachable in its office again,
     * or it is disconnected so that its client reconnects and joins anew. Before, it stayed connected and believed
     * itself seated while every call to it answered 404 and the office no longer listed it.
     */
    @Test
    void aLiveReplicasMembersEvictedAfterALapsedBeatAreNotLostForGood() {
        PackagedApp lapsing = gateways.start("smcp-gateway-lapsing");
        try {
            Seated seated = seatAcross(lapsing, "0.5.0", "lapsing-box-" + run);
            String office = seated.office();
            String agent = seated.agent();
            String computer = seated.computer();
            driver.serve(computer, "client:get_tools", SocketIoDriver.array().add(Offices.noTools()), 0);
            String computerSid = null;
            for (JsonNode session : offices.listRoom(agent, agent, office).get(0).path("sessions")) {
                if (session.path("name").asText().equals(seated.computerName())) {
                    computerSid = session.path("sid").asText();
                }
            }
            int redis = URI.create(gateways.cluster.redisUrl()).getPort();
            String aliveKey = aliveKeyOfReplicaHolding(redis, computerSid + "|" + office);

            // as if its beats had not reached Redis for a ping timeout: the key is kept away until a sweep evicts
            StringBuilder agentHeard = new StringBuilder();
            Conditions.await("the lapsing replica's Computer evicted", Duration.ofSeconds(20), () -> {
                Resp.call(redis, "DEL", aliveKey);
                agentHeard.append(offices.eventNames(agent)).append(' ');
                return agentHeard.toString().contains("notify:leave_office");
            });
            StringBuilder heard = new StringBuilder();
            Conditions.await("the evicted but connected Computer is reachable again, or told to reconnect",
                    Duration.ofSeconds(15), () -> {
                        heard.append(offices.eventNames(computer)).append(' ');
                        JsonNode answer = driver.emit(agent, "client:get_tools", Offices.ACK_MS, Offices.call(agent, seated.computerName()));
                        return heard.toString().contains("disconnect") || (answer.path("acked").asBoolean()
                                && answer.path("args").path(0).has("tools"));
                    });
        } finally {
            lapsing.close();
        }
    }

    /** An office, its agent's client (first replica) and its Computer's client (another replica) and seat name. */
    private record Seated(String office, String agent, String computer, String computerName) {
    }

    /** A fresh office with an agent on the first replica and a Computer named {@code computerName} on {@code replica}. */
    private Seated seatAcross(PackagedApp replica, String version, String computerName) {
        String office = Offices.office();
        String agent = offices.connect("agent-" + run, gateways.first.url(), version);
        String computer = offices.connect("computer-" + run, replica.url(), version);
        offices.join(agent, "agent", agent, office);
        offices.join(computer, "computer", computerName, office);
        driver.waitEvent(agent, "notify:enter_office", Offices.ACK_MS);
        return new Seated(office, agent, computer, computerName);
    }

    /** The liveness key of the replica whose member set holds {@code member} ({@code <sid>|<office_id>}). */
    private static String aliveKeyOfReplicaHolding(int redis, String member) {
        for (Object key : (List<?>) Resp.call(redis, "KEYS", "*smcp:replica:*:members")) {
            String name = (String) key;
            if (Long.valueOf(1).equals(Resp.call(redis, "SISMEMBER", name, member))) {
                int at = name.indexOf("smcp:replica:");
                String replica = name.substring(at + "smcp:replica:".length(), name.length() - ":members".length());
                return name.substring(0, at) + "smcp:alive:" + replica;
            }
        }
        throw new AssertionError("no replica holds " + member);
    }
}

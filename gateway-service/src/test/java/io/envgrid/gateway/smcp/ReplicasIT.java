package io.envgrid.gateway.smcp;

import io.envgrid.testsupport.process.PackagedApp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
            String aliveKey = aliveKeyOfReplicaHolding(redis, computerSid, office);

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

    /** The liveness key of the replica whose member set holds the seat of {@code sid} in {@code office}. */
    private static String aliveKeyOfReplicaHolding(int redis, String sid, String office) {
        SetEntry held = seatEntry(redis, sid, office);
        int at = held.set().indexOf("smcp:replica:");
        String replica = held.set().substring(at + "smcp:replica:".length(), held.set().length() - ":seats".length());
        return held.set().substring(0, at) + "smcp:alive:" + replica;
    }

    /** An entry ({@code <sid>|<epoch>|<office_id>}) of a replica's member set, and that set's key. */
    private record SetEntry(String set, String entry) {
        /** The gateway's key prefix with {@code smcp:} ({@code {envgrid-gw}:smcp:}). */
        String smcpPrefix() {
            return set.substring(0, set.indexOf("smcp:") + "smcp:".length());
        }
    }

    /** The member set entry of the seat {@code sid} holds in {@code office}. */
    private static SetEntry seatEntry(int redis, String sid, String office) {
        for (Object key : (List<?>) Resp.call(redis, "KEYS", "*smcp:replica:*:seats")) {
            for (Object entry : (List<?>) Resp.call(redis, "SMEMBERS", (String) key)) {
                String text = (String) entry;
                if (text.startsWith(sid + "|") && text.endsWith("|" + office)) {
                    return new SetEntry((String) key, text);
                }
            }
        }
        throw new AssertionError("no replica holds a seat of " + sid + " in " + office);
    }

    /**
     * Waits until the replica whose liveness key is {@code aliveKey} has beaten {@code beats} times: each beat sets the
     * key with a TTL again, so the TTL is taken away (PERSIST) and awaited back, once per beat.
     */
    private static void awaitBeats(int redis, String aliveKey, int beats) {
        for (int i = 0; i < beats; i++) {
            assertEquals(1L, Resp.call(redis, "PERSIST", aliveKey), "the replica's liveness key has a TTL");
            Conditions.await("a beat of the replica of " + aliveKey, Duration.ofSeconds(10),
                    () -> (Long) Resp.call(redis, "PTTL", aliveKey) >= 0);
        }
    }

    /** The sid {@code server:list_room} gives the member named {@code name}. */
    private String sidOf(String agent, String office, String name) {
        for (JsonNode session : offices.listRoom(agent, agent, office).get(0).path("sessions")) {
            if (session.path("name").asText().equals(name)) {
                return session.path("sid").asText();
            }
        }
        throw new AssertionError(name + " is not listed in " + office);
    }

    /**
     * Makes a replica that never beats hold {@code entries} and waits until a live replica has evicted it: the
     * eviction's two steps, taking an entry from the set and removing its seat, with the second one run after
     * whatever the test did since the entry left its own replica's set.
     */
    private void evictGhostHolding(int redis, String smcpPrefix, String... entries) {
        String ghost = "ghost-" + run;
        if (entries.length > 0) {
            String[] add = new String[entries.length + 2];
            add[0] = "SADD";
            add[1] = smcpPrefix + "replica:" + ghost + ":seats";
            System.arraycopy(entries, 0, add, 2, entries.length);
            Resp.call(redis, add);
        }
        Resp.call(redis, "SADD", smcpPrefix + "seat-replicas", ghost);
        Conditions.await("the ghost replica evicted", Duration.ofSeconds(20),
                () -> !((List<?>) Resp.call(redis, "SMEMBERS", smcpPrefix + "seat-replicas")).contains(ghost));
    }

    /**
     * A member that leaves and joins the same office again (same connection, same name) while another replica's
     * eviction of its former seat is under way keeps its new seat: the eviction took the old seat's entry from the
     * set before the leave and removes its seat after the new join. Before the seat epoch, the eviction removed
     * whatever seat the sid held in the office, announced a leave, and the member's own replica closed it.
     */
    @Test
    void anEvictionOfAFormerSeatLeavesTheSeatTakenAgain() {
        String office = Offices.office();
        String name = "again-box-" + run;
        String agent = offices.connect("agent-" + run, gateways.second.url(), "0.5.0");
        String computer = offices.connect("computer-" + run, gateways.first.url(), "0.5.0");
        offices.join(agent, "agent", agent, office);
        offices.join(computer, "computer", name, office);
        driver.waitEvent(agent, "notify:enter_office", Offices.ACK_MS);
        driver.serve(computer, "client:get_tools", SocketIoDriver.array().add(Offices.noTools()), 0);
        int redis = URI.create(gateways.cluster.redisUrl()).getPort();
        String sid = sidOf(agent, office, name);
        SetEntry former = seatEntry(redis, sid, office);

        // step one of an eviction: the former seat's entry leaves its replica's set
        assertEquals(1L, Resp.call(redis, "SREM", former.set(), former.entry()));
        assertEquals(SocketIoDriver.array(), offices.leave(computer, office));
        assertEquals(SocketIoDriver.array(), offices.join(computer, "computer", name, office));
        driver.waitEvent(agent, "notify:leave_office", Offices.ACK_MS);
        driver.waitEvent(agent, "notify:enter_office", Offices.ACK_MS);
        // step two, after the new join: the seat of the entry it took is removed
        evictGhostHolding(redis, former.smcpPrefix(), former.entry());
        // the Computer's replica compares its seats with Redis at each beat: give it one after the eviction (two, so
        // the first one's comparison is surely over) before reading what the members heard
        awaitBeats(redis, aliveKeyOfReplicaHolding(redis, sid, office), 2);

        assertTrue(Resp.call(redis, "HGET", former.smcpPrefix() + "office:" + office, sid) != null, "the new seat stays");
        JsonNode answer = driver.emit(agent, "client:get_tools", Offices.ACK_MS, Offices.call(agent, name));
        assertTrue(answer.path("args").path(0).has("tools"), "the Computer is reachable in its office: " + answer);
        String heard = offices.eventNames(agent) + " / " + offices.eventNames(computer);
        assertFalse(heard.contains("notify:leave_office") || heard.contains("disconnect"), "no second leave: " + heard);
    }

    /**
     * Gateways before per-office names held Computer names in two hashes; a replica evicted by a current gateway
     * leaves none of them behind (the older replicas of a rolling update release their own holds as they leave).
     */
    @Test
    void anEvictionDeletesTheNameHoldsOfOlderGateways() {
        int redis = URI.create(gateways.cluster.redisUrl()).getPort();
        String smcp = "{envgrid-gw}:smcp:";
        Resp.call(redis, "HSET", smcp + "computer-names", "held-box-" + run, "smcp-tester");
        Resp.call(redis, "HSET", smcp + "computer-name-seats", "held-box-" + run, "1");

        evictGhostHolding(redis, smcp);

        assertEquals(0L, Resp.call(redis, "EXISTS", smcp + "computer-names", smcp + "computer-name-seats"));
    }

    /**
     * A rolling update (or rollback) runs gateways from before seat epochs next to current ones. Each generation keeps
     * its member sets under keys of its own, so an older replica sweeping never pops an entry it cannot parse (it would
     * lose it and leave the seat for good), and a current replica evicts the seats a dead older replica left under the
     * older keys.
     */
    @Test
    void aDeadOlderReplicasSeatsAreEvictedAndCurrentSeatsUseKeysOfTheirOwn() {
        Seated seated = seatAcross(gateways.second, "0.5.0", "current-box-" + run);
        String office = seated.office();
        String agent = seated.agent();
        int redis = URI.create(gateways.cluster.redisUrl()).getPort();
        String smcp = "{envgrid-gw}:smcp:";
        String sid = sidOf(agent, office, seated.computerName());
        seatEntry(redis, sid, office); // fails unless a current replica's set (smcp:replica:<id>:seats) holds it
        for (Object key : (List<?>) Resp.call(redis, "KEYS", smcp + "replica:*:members")) {
            for (Object entry : (List<?>) Resp.call(redis, "SMEMBERS", (String) key)) {
                assertFalse(((String) entry).startsWith(sid + "|"), "a current seat in an older replica's set: " + key);
            }
        }

        // what an older replica that then died left: its record (no epoch) and its entry under the older keys
        String older = "older-" + run;
        String olderSid = "older-sid-" + run;
        ObjectNode record = SocketIoDriver.object().put("sid", olderSid).put("name", "older-box-" + run)
                .put("role", "computer").put("office_id", office).put("a2c_version", "0.5.0").put("replica", older);
        Resp.call(redis, "HSET", smcp + "office:" + office, olderSid, record.toString());
        Resp.call(redis, "SADD", smcp + "replica:" + older + ":members", olderSid + "|" + office);
        Resp.call(redis, "SADD", smcp + "replicas", older);

        Conditions.await("the older replica evicted", Duration.ofSeconds(20),
                () -> !((List<?>) Resp.call(redis, "SMEMBERS", smcp + "replicas")).contains(older));
        assertEquals(null, Resp.call(redis, "HGET", smcp + "office:" + office, olderSid));
        assertEquals(0L, Resp.call(redis, "EXISTS", smcp + "replica:" + older + ":members"));
        assertEquals("older-box-" + run,
                driver.waitEvent(agent, "notify:leave_office", Offices.ACK_MS).get(0).path("computer").asText());
    }
}

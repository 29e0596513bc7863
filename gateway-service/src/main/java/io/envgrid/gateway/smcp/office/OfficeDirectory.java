package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.smcp.SmcpKeys;
import io.envgrid.redisscripts.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Who sits in which office, across all gateway replicas, in Redis ({@link SmcpKeys}). A join is one script, so
 * two replicas admitting members to one office at once cannot both seat an agent or two members of one role and name.
 * Names are unique within an office, not across offices: a name held elsewhere, by whichever principal, never keeps a
 * Computer out of an office its token covers (hostile review 22; every {@code client:*} call and bridged tool is
 * resolved in the caller's own office).
 */
@ApplicationScoped
public class OfficeDirectory {

    /** What a join found. */
    enum Seat { SEATED, AGENT_TAKEN, NAME_TAKEN }

    /**
     * KEYS[1] office hash, KEYS[2] the joining replica's member set. ARGV[1] sid, ARGV[2] role, ARGV[3] name, ARGV[4]
     * member record JSON, ARGV[5] its {@link SeatEntry}. Returns "seated" (and writes the record and the set entry),
     * "agent_taken" (an agent joins an office where another session is the agent) or "name_taken" (another session of
     * the same role has the name here). The joining sid's own record never counts against it (a rename).
     */
    private static final LuaScript JOIN = LuaScript.of("""
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do
              if all[i] ~= ARGV[1] then
                local m = cjson.decode(all[i + 1])
                if ARGV[2] == 'agent' and m.role == 'agent' then return 'agent_taken' end
                if m.role == ARGV[2] and m.name == ARGV[3] then return 'name_taken' end
              end
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
            redis.call('SADD', KEYS[2], ARGV[5])
            return 'seated'
            """);

    /**
     * KEYS[1] office hash, KEYS[2] the member's replica's member set. ARGV[1] sid, ARGV[2] the {@link SeatEntry},
     * ARGV[3] its epoch (empty: any). The set entry goes in any case; the record only when it is of that epoch (a
     * later seat of the sid, taken while an eviction of the earlier one was under way, stays). Returns 1 when the
     * record was removed, else 0.
     */
    private static final LuaScript LEAVE = LuaScript.of("""
            redis.call('SREM', KEYS[2], ARGV[2])
            local record = redis.call('HGET', KEYS[1], ARGV[1])
            if not record then return 0 end
            if ARGV[3] ~= '' and cjson.decode(record).epoch ~= ARGV[3] then return 0 end
            redis.call('HDEL', KEYS[1], ARGV[1])
            return 1
            """);

    private final ReactiveRedisDataSource redis;
    private final ReactiveHashCommands<String, String, String> hashes;
    private final ReactiveSetCommands<String, String> sets;
    private final SmcpKeys keys;
    private final ObjectMapper json;

    public OfficeDirectory(ReactiveRedisDataSource redis, SmcpKeys keys, ObjectMapper json) {
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.sets = redis.set(String.class);
        this.keys = keys;
        this.json = json;
    }

    /** Seats a member (or updates its record when it already sits there) unless the office's rules forbid it. */
    Uni<Seat> join(String replicaId, ObjectNode record) {
        String office = record.get("office_id").asText();
        String sid = record.get("sid").asText();
        String entry = new SeatEntry(sid, record.get("epoch").asText(), office).encode();
        return JOIN.run(redis, List.of(keys.office(office), keys.replicaSeats(replicaId)), sid,
                record.get("role").asText(), record.get("name").asText(), record.toString(), entry)
                .chain(r -> sets.sadd(keys.seatReplicas(), replicaId).replaceWith(switch (r.toString()) {
                    case "seated" -> Seat.SEATED;
                    case "agent_taken" -> Seat.AGENT_TAKEN;
                    case "name_taken" -> Seat.NAME_TAKEN;
                    default -> throw new IllegalStateException("the join script answered " + r);
                }));
    }

    /**
     * Removes a seat from its office; true when the sid sat there with that seat's epoch (so exactly one remover
     * announces the leave, and an eviction of an earlier seat never removes a later one). {@code memberSet} is the key
     * of the set listing the seat ({@link SmcpKeys#replicaSeats}, or {@link SmcpKeys#legacyReplicaMembers} for an
     * older replica's), from which the entry goes too.
     */
    Uni<Boolean> leave(String memberSet, SeatEntry seat) {
        return LEAVE.run(redis, List.of(keys.office(seat.officeId()), memberSet), seat.sid(),
                seat.encode(), seat.epoch())
                .map(r -> r.toInteger() > 0);
    }

    /** The records of everyone in an office, in no particular order. */
    Uni<List<ObjectNode>> members(String officeId) {
        return hashes.hgetall(keys.office(officeId)).map(all -> {
            List<ObjectNode> out = new ArrayList<>();
            all.values().forEach(v -> out.add(parse(v)));
            return out;
        });
    }

    /** One member's record, or null. */
    Uni<ObjectNode> member(String officeId, String sid) {
        return hashes.hget(keys.office(officeId), sid).map(v -> v == null ? null : parse(v));
    }

    ObjectNode parse(String record) {
        try {
            return (ObjectNode) json.readTree(record);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("a member record in Redis is not JSON: " + record, e);
        }
    }
}

package io.envgrid.gateway.lease;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.redisscripts.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

/**
 * What each worker holds, as the allocator granted it (key as in the /allocate answer, e.g.
 * {@code vm_pyautogui}, {@code rag#2} → the entry with ip, port, base_url, …), kept in Redis so
 * every gateway replica routes a worker's calls to its own resources.
 */
@ApplicationScoped
public class WorkerResources {

    private final ReactiveRedisDataSource redis;
    private final ReactiveHashCommands<String, String, String> hashes;
    private final ObjectMapper json;
    private final GatewayKeys names;
    private final WorkerActivities activities;
    /**
     * This replica's copy of the renewed workers' records (worker → field → entry text as last read or written here,
     * with its JSON tree), so that a renewal needs no read first ({@link #renewed}) and parses nothing. Only a guess:
     * every write through it is checked against the record, and any other change of a record here drops the worker's
     * copy.
     */
    private final ConcurrentMap<String, Map<String, Known>> known = new ConcurrentHashMap<>();
    /** The most workers whose copy is kept (the keep-alive renews every live worker's leases on one replica). */
    private static final int KNOWN_WORKERS = 20_000;
    /**
     * Reads and writes of one renewal before it gives up (each lost to another write of the same entries between
     * its read and its script; two writers, a renewal and the keep-alive, need at most two).
     */
    private static final int WRITE_ATTEMPTS = 8;
    /** The listeners' reads a told renewal makes with its write ({@link #reads()}); null until the first. */
    private volatile Reads reads;

    public WorkerResources(ReactiveRedisDataSource redis, ObjectMapper json, GatewayKeys names, WorkerActivities activities) {
        this.activities = activities;
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.json = json;
        this.names = names;
    }

    private String key(String workerId) {
        return names.workerResources(workerId);
    }

    /**
     * Records an /allocate answer: every entry gets its {@code type} and is stored under its allocation key, in one
     * script ({@link #RECORD_SCRIPT}) that never overwrites the entry of another resource. Each /allocate answer names
     * its grants from {@code <type>} on, so a worker's second grant of a type it holds (a Sandbox session's desktop,
     * then an MCP allocation of the same type) goes under the next free {@code <type>#n}; a resource already recorded
     * (granted again, a newer token) replaces its own entry wherever it is. Was: HSET by allocation key, so the second
     * grant erased the first from the record, and the first lease's end then removed and told nothing.
     */
    public Uni<Void> record(String workerId, JsonNode allocation) {
        List<String> args = new ArrayList<>();
        allocation.fields().forEachRemaining(e -> {
            if (e.getValue().isObject()) {
                ObjectNode entry = ((ObjectNode) e.getValue()).deepCopy();
                if (!entry.hasNonNull("type")) {
                    entry.put("type", typeOf(e.getKey()));
                }
                args.addAll(List.of(e.getKey(), entry.toString(), entry.path("id").asText("")));
            }
        });
        known.remove(workerId);
        return args.isEmpty() ? Uni.createFrom().voidItem() : RECORD_SCRIPT.run(redis, List.of(key(workerId)), args)
                .replaceWithVoid().invoke(() -> activities.leasesChanged(workerId));
    }

    /**
     * Writes entries into a worker's record without losing another resource's (KEYS: the record; ARGV: triples of
     * allocation key, entry text, resource id ({@code ''}: none)): an entry goes where its resource is recorded, else
     * under its key if free, else under the first free {@code <type>#n} (n from 2).
     */
    private static final LuaScript RECORD_SCRIPT = LuaScript.of("""
            local all = redis.call('HGETALL', KEYS[1])
            local taken, at = {}, {}
            for i = 1, #all, 2 do
              taken[all[i]] = true
              local ok, entry = pcall(cjson.decode, all[i + 1])
              if ok and type(entry) == 'table' and type(entry.id) == 'string' and entry.id ~= '' then at[entry.id] = all[i] end
            end
            for i = 1, #ARGV, 3 do
              local field = ARGV[i + 2] ~= '' and at[ARGV[i + 2]] or nil
              if field == nil then
                field = ARGV[i]
                local base, n = string.match(ARGV[i], '^[^#]*'), 2
                while taken[field] do
                  field = base .. '#' .. n
                  n = n + 1
                end
              end
              redis.call('HSET', KEYS[1], field, ARGV[i + 1])
              taken[field] = true
              if ARGV[i + 2] ~= '' then at[ARGV[i + 2]] = field end
            end
            return 1
            """);

    /** {@code vm_pyautogui#2} → {@code vm_pyautogui}. */
    public static String typeOf(String allocationKey) {
        int hash = allocationKey.indexOf('#');
        return hash < 0 ? allocationKey : allocationKey.substring(0, hash);
    }

    /** The worker's resources by allocation key, in a stable order. */
    public Uni<Map<String, JsonNode>> all(String workerId) {
        return hashes.hgetall(key(workerId)).map(raw -> {
            Map<String, JsonNode> entries = new LinkedHashMap<>();
            raw.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> entries.put(e.getKey(), parse(e.getValue())));
            return entries;
        });
    }

    /**
     * Deletes each field given with its text only if it still holds that text; answers the fields deleted. A field
     * rewritten or deleted since it was read (a new grant, a renewal, another forget) is left alone and not answered.
     */
    private static final LuaScript FORGET_SCRIPT = LuaScript.of("local gone = {} "
            + "for i = 1, #ARGV, 2 do "
            + "if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then "
            + "redis.call('HDEL', KEYS[1], ARGV[i]) gone[#gone + 1] = ARGV[i] end end "
            + "return gone");

    /** The whole record and its deletion in one step: answers the fields and texts deleted ({@code HGETALL}'s shape). */
    private static final LuaScript FORGET_ALL_SCRIPT = LuaScript.of("local all = redis.call('HGETALL', KEYS[1]) "
            + "redis.call('DEL', KEYS[1]) return all");

    /**
     * Forgets the entries of these ended leases, named as the allocator names a lease ({@code <resource id>:<fencing
     * token>}, the resource id possibly holding {@code :} itself): only an entry of that resource with that fencing
     * token goes. A later grant of the same resource to the same worker, recorded meanwhile, stays (settling a failed
     * allocation in the background, or an expiry message arriving late, must not take the worker's record of a lease
     * it holds now); so does an entry rewritten between this read and the delete (compared and deleted in one script).
     * Answers the entries this call removed, none when another change (a release, another expiry) removed them first:
     * only what is answered may be told as ended ({@link LeaseEndListener}).
     */
    public Uni<List<JsonNode>> forgetLeases(String workerId, Collection<String> leaseIds) {
        Set<String> ended = Set.copyOf(leaseIds);
        return forgetWhere(workerId, entry -> ended.contains(entry.path("id").asText() + ":"
                + entry.path("fencing_token").asText()));
    }

    /**
     * Forgets the entries for these resource ids (released by the worker itself, or revoked), whatever their lease;
     * answers the entries this call removed, as {@link #forgetLeases}.
     */
    public Uni<List<JsonNode>> forget(String workerId, Collection<String> resourceIds) {
        Set<String> ids = Set.copyOf(resourceIds);
        return forgetWhere(workerId, entry -> ids.contains(entry.path("id").asText()));
    }

    /** Forgets the entries that pass {@code ended}, each only if unchanged since read; answers those removed. */
    private Uni<List<JsonNode>> forgetWhere(String workerId, Predicate<JsonNode> ended) {
        known.remove(workerId);
        return hashes.hgetall(key(workerId)).chain(raw -> {
            List<String> args = new ArrayList<>();
            Map<String, JsonNode> read = new LinkedHashMap<>();
            raw.forEach((field, text) -> {
                JsonNode entry = parse(text);
                if (ended.test(entry)) {
                    args.add(field);
                    args.add(text);
                    read.put(field, entry);
                }
            });
            if (args.isEmpty()) {
                return Uni.createFrom().item(List.<JsonNode>of());
            }
            return FORGET_SCRIPT.run(redis, List.of(key(workerId)), args).map(gone -> {
                List<JsonNode> removed = new ArrayList<>();
                for (Response field : gone) {
                    removed.add(read.get(field.toString()));
                }
                if (!removed.isEmpty()) {
                    activities.leasesChanged(workerId);
                }
                return removed;
            });
        });
    }

    /** Forgets the worker's whole record; answers the entries removed (none when it was empty or gone already). */
    public Uni<List<JsonNode>> forgetAll(String workerId) {
        known.remove(workerId);
        return FORGET_ALL_SCRIPT.run(redis, List.of(key(workerId)), List.of()).map(all -> {
            List<JsonNode> removed = new ArrayList<>();
            for (int i = 1; all != null && i < all.size(); i += 2) {
                removed.add(parse(all.get(i).toString()));
            }
            if (!removed.isEmpty()) {
                activities.leasesChanged(workerId);
            }
            return removed;
        });
    }

    /** What a renewal changed in a worker's record ({@link #renewed}), from least to most. */
    public enum TermsChange {
        /** Nothing: no lease renewed, or every renewed one already recorded so. */
        NONE,
        /** Only {@code expires_at}: the lease was extended, as every renewal extends it. */
        EXPIRY,
        /** A {@code fencing_token} other than recorded: the recorded one is a stale grant's, a client must re-read. */
        FENCING
    }

    /**
     * The compare-and-write script with no listener's read: the keep-alive's renewals ({@link #renewed}), and a told
     * renewal when no listener reads ({@link #renewedAndReadScript}).
     */
    private static final Reads PLAIN = new Reads(List.of(), LuaScript.of(renewedAndReadScript(List.of())));

    /**
     * Applies an allocator {@code /renew} answer ({@code {status, details: {id: {status, expires_at, fencing_token}}}}) to the worker's
     * record, so that what {@code envgrid://worker/leases} shows is the lease as renewed: each entry of a lease
     * {@code renewed} gets its new {@code expires_at} and {@code fencing_token}. Answers the largest change written;
     * the caller decides whom to tell ({@link WorkerActivity#leaseTermsChanged}): the keep-alive's path.
     *
     * <p>One Redis round trip when this replica knows the entries' text ({@link #known}: what it last read or wrote):
     * the script compares each entry with that text and writes it only if equal, so a stale copy writes nothing and
     * the record is then read and written as if nothing were known. Without a copy: a read, then the script.
     */
    public Uni<TermsChange> renewed(String workerId, JsonNode answer) {
        return renew(workerId, answer, PLAIN).map(Outcome::change);
    }

    /**
     * {@link #renewed}, and any change (an extension included) told to the {@link WorkerActivity} listeners: the path
     * of a renewal the worker asked for. The script that writes the record also makes the listeners' {@link
     * RenewalRead}s when it wrote an entry (the look-up of the worker's sessions subscribed to its leases: one
     * exchange for the write and the look-up), and their answers go to the listeners with the change.
     */
    public Uni<TermsChange> renewedAndTold(String workerId, JsonNode answer) {
        return renew(workerId, answer, reads()).map(outcome -> {
            if (outcome.change() != TermsChange.NONE) {
                activities.leaseTermsChanged(workerId, outcome.reads());
            }
            return outcome.change();
        });
    }

    private Uni<Outcome> renew(String workerId, JsonNode answer, Reads reads) {
        Map<String, JsonNode> renewals = new LinkedHashMap<>();
        answer.path("details").fields().forEachRemaining(e -> {
            if ("renewed".equals(e.getValue().path("status").asText())) {
                renewals.put(e.getKey(), e.getValue());
            }
        });
        if (renewals.isEmpty()) {
            return Uni.createFrom().item(Outcome.NOTHING);
        }
        Map<String, Known> copy = known.get(workerId);
        Renewal fromCopy = copy == null ? null : Renewal.plan(copy, renewals);
        // only when the copy makes every renewed lease a write: each write is then checked against the record, while
        // a lease the copy lacks, or would leave alone, has to be decided on the record as it is
        if (fromCopy == null || fromCopy.written().size() != renewals.size()) {
            return readAndWrite(workerId, renewals, Outcome.NOTHING, WRITE_ATTEMPTS, reads);
        }
        return write(workerId, fromCopy, reads).chain(most -> most.complete()
                ? Uni.createFrom().item(most.outcome())
                // some entry was no longer as this replica knew it: decide again on the record as it is
                : readAndWrite(workerId, renewals, most.outcome(), WRITE_ATTEMPTS, reads));
    }

    /**
     * Reads the record, plans on it and writes the plan, until every planned entry was written: an entry rewritten
     * between the read and the script (the keep-alive renewing the same lease at the same moment) is left alone by
     * the script, and the renewal is then decided again on the record as it is. Was: that entry counted as nothing
     * to do, so {@code renew_resources} kept the keep-alive's expiry and answered NONE (no update sent).
     */
    private Uni<Outcome> readAndWrite(String workerId, Map<String, JsonNode> renewals, Outcome sofar, int attemptsLeft,
            Reads reads) {
        return read(workerId).chain(raw -> {
            Renewal plan = Renewal.plan(remember(workerId, raw), renewals);
            if (plan.written().isEmpty()) {
                return Uni.createFrom().item(sofar);
            }
            return write(workerId, plan, reads).chain(written -> {
                Outcome most = sofar.then(written.outcome());
                if (written.complete()) {
                    return Uni.createFrom().item(most);
                }
                if (attemptsLeft <= 1) {
                    return Uni.createFrom().failure(new IllegalStateException("the record of worker " + workerId
                            + " kept changing while a renewal was written"));
                }
                return readAndWrite(workerId, renewals, most, attemptsLeft - 1, reads);
            });
        });
    }

    /** The worker's record as a renewal decides on it (package-private: a test interposes a concurrent write). */
    Uni<Map<String, String>> read(String workerId) {
        return hashes.hgetall(key(workerId));
    }

    /**
     * Runs the compare-and-write script for a plan, with the listeners' reads when given; the entries written become
     * this replica's copy.
     */
    private Uni<Written> write(String workerId, Renewal plan, Reads reads) {
        List<String> keys = new ArrayList<>();
        keys.add(key(workerId));
        List<String> args = new ArrayList<>(plan.written().size() * 3 + 1);
        args.add(Integer.toString(plan.written().size() * 3));
        plan.written().forEach((field, entry) -> {
            args.add(field);
            args.add(entry.was());
            args.add(entry.now().text());
        });
        reads.append(workerId, keys, args);
        return reads.script().run(redis, keys, args).map(reply -> {
            Response written = reply.get(0);
            TermsChange most = TermsChange.NONE;
            Map<String, Known> copy = known.get(workerId);
            int count = 0;
            for (Response field : written) {
                String name = field.toString();
                count++;
                TermsChange change = plan.changes().getOrDefault(name, TermsChange.NONE);
                most = change.compareTo(most) > 0 ? change : most;
                if (copy != null) {
                    copy.put(name, plan.written().get(name).now());
                }
            }
            if (count != plan.written().size()) {
                // what was not written differs from the copy: the copy is stale
                known.remove(workerId);
            }
            List<Response> answers = new ArrayList<>();
            for (int i = 1; i < reply.size(); i++) {
                answers.add(reply.get(i));
            }
            return new Written(new Outcome(most, answers), count == plan.written().size());
        });
    }

    /** The listeners' reads and the script that makes them with the write; built at the first renewal told. */
    private Reads reads() {
        Reads built = reads;
        if (built == null) {
            List<RenewalRead> wanted = activities.renewalReads();
            built = wanted.isEmpty() ? PLAIN : new Reads(wanted, LuaScript.of(renewedAndReadScript(wanted)));
            reads = built;
        }
        return built;
    }

    /**
     * Writes only the entries that are still as they were read (an entry removed or replaced since, by a release, an
     * expiry or a new grant, is left alone: a renewal never brings back a lease that ended meanwhile), followed, when
     * it wrote an entry, by each read as a Lua function of its own KEYS and
     * ARGV. KEYS: the worker's record, then each read's keys; ARGV: the number of renewal arguments, the renewal's
     * triples, then per read the number of its keys, the number of its arguments, its arguments. Answers the fields
     * written, then each read's answer (none when nothing was written). A read that fails answers nil (its listener
     * then reads for itself, and logs what fails): Redis keeps a script's writes made before an error, so a failing
     * read must not fail the renewal after its record was written.
     */
    static String renewedAndReadScript(List<RenewalRead> reads) {
        StringBuilder lua = new StringBuilder("local reads = {");
        for (RenewalRead read : reads) {
            lua.append(" function(KEYS, ARGV) ").append(read.lua()).append(" end,");
        }
        return lua.append(" } local n = tonumber(ARGV[1]) local written = {} "
                + "for i = 2, n + 1, 3 do "
                + "if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then "
                + "redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2]) written[#written + 1] = ARGV[i] end end "
                + "local answer = {written} "
                + "if #written > 0 then local k, a = 2, n + 2 "
                + "for r = 1, #reads do local nk, na = tonumber(ARGV[a]), tonumber(ARGV[a + 1]) a = a + 2 "
                + "local rk, ra = {}, {} "
                + "for i = 1, nk do rk[i] = KEYS[k] k = k + 1 end "
                + "for i = 1, na do ra[i] = ARGV[a] a = a + 1 end "
                + "local ok, got = pcall(reads[r], rk, ra) answer[r + 1] = ok and got or false end end "
                + "return answer").toString();
    }

    /** The listeners' reads made with a renewal's write, and the one script for both. */
    private record Reads(List<RenewalRead> list, LuaScript script) {

        /** Each read's keys and arguments for the worker, after the renewal's, as the script takes them. */
        void append(String workerId, List<String> keys, List<String> args) {
            for (RenewalRead read : list) {
                List<String> readKeys = read.keys().apply(workerId);
                List<String> readArgs = read.args().apply(workerId);
                keys.addAll(readKeys);
                args.add(Integer.toString(readKeys.size()));
                args.add(Integer.toString(readArgs.size()));
                args.addAll(readArgs);
            }
        }
    }

    /** What a renewal did: the largest change written, and the answers of the reads made with its last write. */
    private record Outcome(TermsChange change, List<Response> reads) {

        static final Outcome NOTHING = new Outcome(TermsChange.NONE, List.of());

        /** This, then a later write: the larger change, and the later reads when that write made any. */
        Outcome then(Outcome later) {
            return new Outcome(later.change().compareTo(change) > 0 ? later.change() : change,
                    later.reads().isEmpty() ? reads : later.reads());
        }
    }

    /**
     * The record as just read, each entry parsed once, becomes this replica's copy (at most {@link #KNOWN_WORKERS}
     * workers are kept); answers it.
     */
    private Map<String, Known> remember(String workerId, Map<String, String> raw) {
        if (known.size() >= KNOWN_WORKERS && !known.containsKey(workerId)) {
            known.clear(); // a copy only saves a read: dropping them all costs one read per worker
        }
        Map<String, Known> entries = new ConcurrentHashMap<>();
        raw.forEach((field, text) -> entries.put(field, new Known(text, parse(text))));
        known.put(workerId, entries);
        return entries;
    }

    /**
     * An entry as this replica knows it: its text (what the compare-and-write compares) and that text's JSON, parsed
     * once when read or built when written, so a renewal from the copy does not parse it again. The tree is never
     * changed: a renewal plans on a copy of it.
     */
    private record Known(String text, JsonNode tree) {
    }

    /** An entry a renewal rewrites: its text as known (compared by the script) and its text and tree renewed. */
    private record Rewrite(String was, Known now) {
    }

    /** What the script wrote: the largest change and the reads made, and whether every planned entry was written. */
    private record Written(Outcome outcome, boolean complete) {
    }

    /**
     * The entries a renewal rewrites, by field, and the change each makes. Built from the record (or this replica's
     * copy of it) and the renewed leases by id.
     */
    private record Renewal(Map<String, Rewrite> written, Map<String, TermsChange> changes) {

        static Renewal plan(Map<String, Known> record, Map<String, JsonNode> renewals) {
            Map<String, Rewrite> written = new LinkedHashMap<>();
            Map<String, TermsChange> changes = new LinkedHashMap<>();
            record.forEach((field, known) -> {
                JsonNode entry = known.tree();
                JsonNode renewal = renewals.get(entry.path("id").asText());
                if (renewal == null) {
                    return;
                }
                // numbers compared by value: a fencing token read as an int and one read as a long are the same token
                long recordedToken = entry.path("fencing_token").asLong(-1);
                long renewedToken = renewal.path("fencing_token").asLong(recordedToken);
                if (renewedToken < recordedToken) {
                    // tokens only grow per resource: this answer is about an older grant and arrived late
                    return;
                }
                // an expiry earlier than recorded is written too: a renewal may shorten a lease (a smaller timeout),
                // and of two answers crossing, the earlier expiry shown is the safe error (the lease outlives it)
                boolean fencing = renewedToken != recordedToken;
                boolean expiry = renewal.hasNonNull("expires_at")
                        && !renewal.get("expires_at").asText().equals(entry.path("expires_at").asText(null));
                if (!fencing && !expiry) {
                    return;
                }
                ObjectNode updated = ((ObjectNode) entry).deepCopy();
                if (renewal.hasNonNull("fencing_token")) {
                    updated.set("fencing_token", renewal.get("fencing_token"));
                }
                if (renewal.hasNonNull("expires_at")) {
                    updated.set("expires_at", renewal.get("expires_at"));
                }
                written.put(field, new Rewrite(known.text(), new Known(updated.toString(), updated)));
                changes.put(field, fencing ? TermsChange.FENCING : TermsChange.EXPIRY);
            });
            return new Renewal(written, changes);
        }
    }

    /**
     * The one resource a call targets: the one named by {@code resourceId}, else the worker's only
     * resource whose type passes {@code kind}; none or several is a 4xx that says which exist.
     */
    public Uni<JsonNode> pick(String workerId, String resourceId, String kindName, Predicate<String> kind) {
        return all(workerId).map(entries -> {
            List<JsonNode> candidates = entries.values().stream()
                    .filter(e -> resourceId == null ? kind.test(e.path("type").asText()) : resourceId.equals(e.path("id").asText()))
                    .toList();
            if (candidates.size() == 1) {
                return candidates.get(0);
            }
            List<String> held = entries.values().stream().map(e -> e.path("id").asText() + " (" + e.path("type").asText() + ")").toList();
            if (candidates.isEmpty()) {
                String what = resourceId == null ? "no " + kindName : "no resource '" + resourceId + "'";
                throw new ToolFailure(404, ErrorCode.NO_SUCH_RESOURCE,
                        "worker '" + workerId + "' holds " + what + "; allocate and set it up first",
                        Map.of("held", held));
            }
            throw new ToolFailure(400, ErrorCode.INVALID_PARAMETERS,
                    "worker '" + workerId + "' holds several " + kindName + "s; name one with resource_id",
                    Map.of("held", held));
        });
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable worker record", e);
        }
    }
}

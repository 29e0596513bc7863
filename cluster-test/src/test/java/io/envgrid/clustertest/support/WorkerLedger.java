package io.envgrid.clustertest.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the workers did and saw, from their JSON lines ({@code tools/mcp-client/soak.mjs}): calls and errors by kind,
 * the grants they received, the releases confirmed to them, the leases each worker holds now, and the workers that
 * finished. Thread-safe: one reader thread per worker process feeds it.
 */
public final class WorkerLedger {

    /**
     * A failed call: the tool, the kind of failure, when it ended (epoch ms), and what the service or the transport said
     * (the error envelope as JSON or the exception's message, at most 600 characters; empty when the worker gave none).
     */
    public record Failure(String tool, String kind, long atEpochMs, String why) {
    }

    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();

    private final AtomicLong calls = new AtomicLong();
    private final Map<String, AtomicLong> kinds = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> callsByTool = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> slowest = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Grant> grants = new ConcurrentLinkedQueue<>();
    /** Per worker, what it holds now: its last grant until a confirmed release. */
    private final Map<String, List<Grant>> holding = new ConcurrentHashMap<>();
    private final Set<String> confirmedReleased = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> finished = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> garbage = new ConcurrentLinkedQueue<>();

    /** Takes one line a worker printed. */
    public void accept(JsonNode line) {
        String worker = line.path("w").asText();
        if (line.has("call")) {
            calls.incrementAndGet();
            String tool = line.path("call").asText();
            callsByTool.computeIfAbsent(tool, k -> new AtomicLong()).incrementAndGet();
            slowest.computeIfAbsent(tool, k -> new AtomicLong()).accumulateAndGet(line.path("ms").asLong(), Math::max);
            String status = line.has("status") ? " status=" + line.path("status").asText() : "";
            kinds.computeIfAbsent(tool + " " + line.path("kind").asText() + status, k -> new AtomicLong())
                    .incrementAndGet();
            if (!line.path("ok").asBoolean()) {
                failures.add(new Failure(tool, line.path("kind").asText(), line.path("at").asLong(),
                        line.path("why").asText("")));
            }
        } else if (line.has("grant")) {
            List<Grant> granted = new java.util.ArrayList<>();
            for (JsonNode r : line.path("grant")) {
                granted.add(new Grant(worker, r.path("id").asText(), r.path("type").asText(), r.path("lease_id").asText(),
                        r.path("fence").asLong()));
            }
            grants.addAll(granted);
            holding.put(worker, List.copyOf(granted));
        } else if (line.has("released")) {
            List<Grant> held = holding.remove(worker);
            if (held != null) {
                held.forEach(g -> confirmedReleased.add(g.leaseId()));
            }
        } else if (line.has("done")) {
            finished.put(worker, line.path("iterations").asLong());
        } else {
            garbage.add(line.toString());
        }
    }

    /** A line that was not JSON (a crash trace of the client, say). */
    public void garbage(String line) {
        garbage.add(line);
    }

    public long calls() {
        return calls.get();
    }

    /**
     * Calls by {@code "<tool> <kind>"}, kind {@code ok}, {@code tool:<code>}, {@code http:<status>}, {@code timeout}, …;
     * a set-up answered adds {@code " status=<success|partial|failed>"}.
     */
    public Map<String, Long> callsByKind() {
        Map<String, Long> out = new TreeMap<>();
        kinds.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** The longest call of each tool, ms. */
    public Map<String, Long> slowestMs() {
        Map<String, Long> out = new TreeMap<>();
        slowest.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    public List<Grant> grants() {
        return List.copyOf(grants);
    }

    /** The leases the worker holds now (granted, release not confirmed). */
    public List<Grant> holding(String worker) {
        return holding.getOrDefault(worker, List.of());
    }

    public Set<String> confirmedReleased() {
        return Set.copyOf(confirmedReleased);
    }

    /** Workers that reached the deadline and stopped, with their completed iterations. */
    public Map<String, Long> finished() {
        return Map.copyOf(finished);
    }

    public List<String> garbage() {
        return List.copyOf(garbage);
    }
}

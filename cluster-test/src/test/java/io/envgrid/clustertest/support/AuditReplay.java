package io.envgrid.clustertest.support;

import io.envgrid.testsupport.redis.Resp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The allocator's audit stream ({@code {envgrid}:events}, docs/contracts/redis.md) replayed in order, resource by
 * resource: a grant must find no live lease and no reset under way, and carry a fencing token above every earlier one
 * of that resource; a release, expiry, revocation or abandonment must end the live lease it names; a {@code resetting}
 * must follow the end of the lease it names and a {@code reset_*} must end it. What breaks that is a violation.
 */
public final class AuditReplay {

    /** One stream entry: its id and fields. */
    public record Event(String streamId, Map<String, String> fields) {

        String kind() {
            return fields.getOrDefault("kind", "");
        }

        String resource() {
            return fields.getOrDefault("id", "");
        }

        String leaseId() {
            return fields.getOrDefault("lease_id", "");
        }

        long fence() {
            String fence = fields.getOrDefault("fence", "");
            return fence.isEmpty() ? -1 : Long.parseLong(fence);
        }
    }

    private record Live(String leaseId, long fence) {
    }

    private static final Set<String> ENDS = Set.of("release", "expire", "revoke", "abandon");

    private final List<String> violations = new ArrayList<>();
    private final Map<String, Long> kinds = new TreeMap<>();
    private final Map<String, Live> live = new HashMap<>();
    private final Map<String, String> resetting = new HashMap<>();
    private final Map<String, Long> lastFence = new HashMap<>();
    private final Set<String> granted = new HashSet<>();
    private final Map<String, String> endedBy = new HashMap<>();
    private final Map<String, String> expiredWorkers = new TreeMap<>();
    private long events;

    /** Reads the whole stream from the Redis master on {@code port}, in pages, and replays it. */
    public static AuditReplay of(int port, String key) {
        AuditReplay replay = new AuditReplay();
        String from = "-";
        while (true) {
            List<?> page = (List<?>) Resp.call(port, "XRANGE", key, from, "+", "COUNT", "2000");
            for (Object entry : page) {
                List<?> pair = (List<?>) entry;
                List<?> flat = (List<?>) pair.get(1);
                Map<String, String> fields = new HashMap<>();
                for (int i = 0; i + 1 < flat.size(); i += 2) {
                    fields.put((String) flat.get(i), (String) flat.get(i + 1));
                }
                replay.apply(new Event((String) pair.get(0), fields));
            }
            if (page.size() < 2000) {
                return replay;
            }
            from = "(" + ((List<?>) page.get(page.size() - 1)).get(0);
        }
    }

    /** Applies one event in stream order. */
    public void apply(Event e) {
        events++;
        kinds.merge(e.kind(), 1L, Long::sum);
        String id = e.resource();
        switch (e.kind()) {
            case "grant" -> {
                Live current = live.get(id);
                if (current != null) {
                    violations.add(e.streamId() + ": double grant of " + id + " (" + e.leaseId() + ") while " + current.leaseId()
                            + " is live");
                }
                if (resetting.containsKey(id)) {
                    violations.add(e.streamId() + ": grant of " + id + " while resetting after " + resetting.get(id));
                }
                long previous = lastFence.getOrDefault(id, Long.MIN_VALUE);
                if (e.fence() <= previous) {
                    violations.add(e.streamId() + ": fencing token of " + id + " went from " + previous + " to " + e.fence());
                }
                lastFence.put(id, e.fence());
                live.put(id, new Live(e.leaseId(), e.fence()));
                granted.add(e.leaseId());
            }
            case "release", "expire", "revoke", "abandon" -> {
                Live current = live.get(id);
                if (current == null || !current.leaseId().equals(e.leaseId())) {
                    violations.add(e.streamId() + ": " + e.kind() + " of " + e.leaseId() + " but the live lease of " + id + " is "
                            + (current == null ? "none" : current.leaseId()));
                } else {
                    live.remove(id);
                }
                endedBy.put(e.leaseId(), e.kind());
                if ("expire".equals(e.kind())) {
                    expiredWorkers.put(e.leaseId(), e.fields().getOrDefault("worker", ""));
                }
            }
            case "resetting" -> {
                if (live.containsKey(id) || !endedBy.containsKey(e.leaseId())) {
                    violations.add(e.streamId() + ": resetting of " + id + " after " + e.leaseId() + ", which has not ended");
                }
                resetting.put(id, e.leaseId());
            }
            case "reset_done", "reset_failed", "reset_timeout" -> {
                if (!e.leaseId().equals(resetting.get(id))) {
                    violations.add(e.streamId() + ": " + e.kind() + " of " + id + " for " + e.leaseId() + " but the reset under way is "
                            + resetting.get(id));
                }
                resetting.remove(id);
            }
            default -> {
                // drain, undrain: no lease state
            }
        }
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    public long events() {
        return events;
    }

    /** Events by kind. */
    public Map<String, Long> kinds() {
        return Map.copyOf(kinds);
    }

    /** Leases live at the end of the stream, by resource. */
    public Map<String, String> liveAtEnd() {
        Map<String, String> out = new TreeMap<>();
        live.forEach((id, l) -> out.put(id, l.leaseId()));
        return out;
    }

    /** Resets under way at the end of the stream, by resource. */
    public Map<String, String> resettingAtEnd() {
        return new TreeMap<>(resetting);
    }

    /** The leases that ended by expiry (nobody released them), with their worker. */
    public Map<String, String> expiredLeaseWorkers() {
        return new TreeMap<>(expiredWorkers);
    }

    public boolean wasGranted(String leaseId) {
        return granted.contains(leaseId);
    }

    /** How the lease ended ({@code release}, {@code expire}, …), or null while it is live. */
    public String endOf(String leaseId) {
        return endedBy.get(leaseId);
    }
}

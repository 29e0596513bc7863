package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.smcp.handshake.Generation;
import io.envgrid.gateway.smcp.socketio.NamespaceSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A client connected to {@code /smcp} on this replica: its socket, the protocol generation of its handshake, the
 * principal its connect token proved (fixed for the connection), and the identity and office its joins gave it. The identity fields are touched only by the work {@link #serially}
 * runs, one piece after another, so a client's events take effect in the order it sent them.
 */
final class Member {

    final NamespaceSocket socket;
    final Generation generation;
    final String a2cVersion;
    final Principal principal;
    /** "agent" or "computer" after the first successful join; null before. Volatile: progress reports read it outside the queue. */
    volatile String role;
    volatile String name;
    /** The office the member sits in; null when in none. */
    volatile String officeId;
    /** The epoch of the seat it holds in {@link #officeId} ({@link SeatEntry}); null before its first seat. */
    volatile String epoch;
    /** Seats taken so far: the last epoch handed out. */
    private long epochs;
    /** The Vert.x timer that disconnects the member when its token expires; -1 when the token does not expire. */
    volatile long expiryTimer = -1;
    /**
     * Who else is in its office as the member was last told ({@link #presenceKey} → the presence payload): seeded from
     * the office when it takes a seat, then kept by the {@code notify:enter_office}/{@code notify:leave_office} emitted
     * to it. What {@link ReplicaBus} compares the office with when notices may have been lost.
     */
    final Map<String, ObjectNode> told = new ConcurrentHashMap<>();
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private int queued;

    Member(NamespaceSocket socket, Generation generation, String a2cVersion, Principal principal) {
        this.socket = socket;
        this.generation = generation;
        this.a2cVersion = a2cVersion;
        this.principal = principal;
    }

    String sid() {
        return socket.sid();
    }

    /** Runs {@code work} after every earlier piece of this member's work has finished (failed ones included). */
    synchronized void serially(Supplier<CompletionStage<?>> work) {
        queued++;
        tail = tail.thenCompose(v -> {
            try {
                return work.get().handle((r, e) -> null);
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(null);
            }
        }).thenApply(v -> {
            finished();
            return null;
        });
    }

    private synchronized void finished() {
        queued--;
    }

    /** Pieces of work handed to {@link #serially} and not finished yet (the member's queue of events). */
    synchronized int queued() {
        return queued;
    }

    /**
     * The epoch of a seat in {@code office}: the current one when the member already sits there (a rejoin keeps its
     * seat), else a new one, greater than any this connection had.
     */
    synchronized String epochFor(String office) {
        return office.equals(officeId) && epoch != null ? epoch : Long.toString(++epochs);
    }

    /** Keeps {@link #told} up to date with a notice emitted to the member. */
    void heard(String event, JsonNode payload) {
        if (!(payload instanceof ObjectNode presence)) {
            return;
        }
        String key = presenceKey(presence);
        if (key == null) {
            return;
        }
        if (SmcpEvents.ENTER_OFFICE_NOTICE.equals(event)) {
            told.put(key, presence);
        } else if (SmcpEvents.LEAVE_OFFICE_NOTICE.equals(event)) {
            told.remove(key);
        }
    }

    /** A presence's key: names are unique per role within an office, so role and name tell a member apart. */
    static String presenceKey(String role, String name) {
        return role + '\n' + name;
    }

    /** The key of a presence payload ({@code {office_id, <role>: <name>}}), or null when it names no member. */
    private static String presenceKey(ObjectNode presence) {
        for (String role : new String[] {"agent", "computer"}) {
            JsonNode name = presence.get(role);
            if (name != null && name.isTextual()) {
                return presenceKey(role, name.asText());
            }
        }
        return null;
    }

    /** The record other replicas see in the office hash. */
    ObjectNode record(ObjectMapper json, String replicaId, String role, String name, String officeId, String epoch) {
        return json.createObjectNode().put("sid", sid()).put("name", name).put("role", role).put("office_id", officeId)
                .put("a2c_version", a2cVersion).put("replica", replicaId).put("epoch", epoch);
    }
}

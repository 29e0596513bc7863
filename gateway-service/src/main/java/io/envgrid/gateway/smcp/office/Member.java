package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.smcp.handshake.Generation;
import io.envgrid.gateway.smcp.socketio.NamespaceSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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

    /** The record other replicas see in the office hash. */
    ObjectNode record(ObjectMapper json, String replicaId, String role, String name, String officeId, String epoch) {
        return json.createObjectNode().put("sid", sid()).put("name", name).put("role", role).put("office_id", officeId)
                .put("a2c_version", a2cVersion).put("replica", replicaId).put("epoch", epoch);
    }
}

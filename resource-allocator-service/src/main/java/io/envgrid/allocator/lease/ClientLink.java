package io.envgrid.allocator.lease;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Whether the HTTP client of one allocation can still be given its answer. An allocation runs
 * through three states: {@code waiting} (nothing granted yet), {@code granted} (leases exist in
 * Redis, answer not yet handed to the connection) and then either {@code delivered} (the response
 * was written) or {@code gone} (the connection closed first). Leases granted to a client that is
 * gone are handed to {@code onAbandoned} exactly once, whichever of {@link #granted} and
 * {@link #clientGone} happens second; a client that closes after the answer was written cannot be
 * told from one that read it (its leases end by release or expiry as usual).
 *
 * <p>Thread-safe: the connection's event loop calls {@link #clientGone}/{@link #delivered}, the
 * Redis answer's thread calls {@link #granted}.
 */
public final class ClientLink {

    /** The state; {@code Granted} carries the leases that are not yet delivered. */
    private sealed interface State permits Phase, Granted { }

    private enum Phase implements State { WAITING, DELIVERED, GONE }

    private record Granted(Abandoned leases) implements State { }

    /**
     * The leases of one undelivered grant: their holder, the request_id (or '') and their lease ids. No expiry: the
     * holder may renew them (a renewal without ids extends all of a worker's leases), so only Redis can tell when
     * nothing is left to release.
     */
    public record Abandoned(String workerId, String requestId, List<String> leaseIds) { }

    private final AtomicReference<State> state = new AtomicReference<>(Phase.WAITING);
    private volatile Consumer<Abandoned> onAbandoned = leases -> { };
    private volatile Runnable whenGone = () -> { };

    /** Where undelivered leases go; set by the allocation before anything can be granted. */
    void onAbandoned(Consumer<Abandoned> handler) {
        this.onAbandoned = handler;
    }

    /**
     * What to do the moment the connection closes (end a parked wait); replaces the previous one.
     * Runs at once when the client is already gone.
     */
    void whenGone(Runnable action) {
        this.whenGone = action;
        if (isGone()) {
            action.run();
        }
    }

    /** True once the connection closed before an answer was written. */
    public boolean isGone() {
        return state.get() == Phase.GONE;
    }

    /** Records a grant; tells whether the client is still there to receive it (false: abandoned now). */
    boolean granted(Abandoned leases) {
        State previous = state.getAndUpdate(s -> s == Phase.WAITING ? new Granted(leases) : s);
        if (previous == Phase.WAITING) {
            return true;
        }
        if (previous == Phase.GONE) {
            onAbandoned.accept(leases);
        }
        return false;
    }

    /** The connection closed; leases granted but not yet written are abandoned. */
    public void clientGone() {
        State previous = state.getAndUpdate(s -> s == Phase.DELIVERED ? s : Phase.GONE);
        if (previous instanceof Granted g) {
            onAbandoned.accept(g.leases());
        } else if (previous == Phase.WAITING) {
            whenGone.run();
        }
    }

    /** The response was written to the connection. */
    public void delivered() {
        state.getAndUpdate(s -> s == Phase.GONE ? s : Phase.DELIVERED);
    }
}

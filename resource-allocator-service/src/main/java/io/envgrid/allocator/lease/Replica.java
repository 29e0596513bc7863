package io.envgrid.allocator.lease;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * This replica's identity in Redis: the name of its waiters' channel ({@code ch:w:<id>}) and of
 * its liveness entry (zset {@code replicas}, pushed out by every reaper run). Fresh per process, so
 * a restarted replica never inherits the tickets of its previous life: those are purged as a dead
 * replica's.
 */
@ApplicationScoped
public class Replica {

    private final String id = "replica-" + UUID.randomUUID();

    /** {@code replica-<uuid>}, fixed for the life of this process. */
    public String id() {
        return id;
    }
}

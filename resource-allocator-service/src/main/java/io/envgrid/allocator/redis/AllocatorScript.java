package io.envgrid.allocator.redis;

/** The Lua scripts of the allocator, one resource file each under {@code lua/}. */
public enum AllocatorScript {
    ALLOCATE("allocate", true),
    RELEASE("release", true),
    RENEW("renew", true),
    // The reaper answers nobody: what it grants to a waiter is waited for by that waiter (AllocationService).
    REAP("reap", false),
    CANCEL_WAIT("cancel_wait", true),
    ABANDON("abandon", true),
    RELEASE_REQUEST("release_request", true),
    REGISTER("register", true),
    HEARTBEAT("heartbeat", true),
    SET_ADMIN("set_admin", true),
    DELETE("delete", true),
    RESET("reset", true),
    SNAPSHOT("snapshot", false),
    // Counts by type and state (GET /stats, the pool gauges).
    STATS("stats", false),
    // Reads only: which cell holds an id (README, "Cells").
    LOCATE("locate", false),
    // The one cell an id belongs to, claimed before a registration and released after a delete (CellClaims).
    CLAIM("claim", true),
    VERIFY("verify", true);

    private final String file;
    private final boolean answersAWrite;

    AllocatorScript(String file, boolean answersAWrite) {
        this.file = file;
        this.answersAWrite = answersAWrite;
    }

    public String resourcePath() {
        return "lua/" + file + ".lua";
    }

    /**
     * Whether the script may change state (grant, release, reclaim, register, ...) and its answer goes to a
     * caller: with {@code wait-replicas} set, that answer waits for the replicas' acknowledgement.
     */
    public boolean answersAWrite() {
        return answersAWrite;
    }
}

package io.envgrid.allocator.redis;

/** The Lua scripts of the allocator, one resource file each under {@code lua/}. */
public enum AllocatorScript {
    ALLOCATE("allocate"),
    RELEASE("release"),
    RENEW("renew"),
    REAP("reap"),
    CANCEL_WAIT("cancel_wait"),
    ABANDON("abandon"),
    REGISTER("register"),
    HEARTBEAT("heartbeat"),
    SET_ADMIN("set_admin"),
    DELETE("delete"),
    RESET("reset"),
    SNAPSHOT("snapshot"),
    VERIFY("verify");

    private final String file;

    AllocatorScript(String file) {
        this.file = file;
    }

    public String resourcePath() {
        return "lua/" + file + ".lua";
    }
}

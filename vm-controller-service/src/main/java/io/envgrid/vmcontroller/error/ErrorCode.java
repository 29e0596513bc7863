package io.envgrid.vmcontroller.error;

/** The error codes this service puts in the envelope. */
public final class ErrorCode {
    public static final String INVALID_PARAMETERS = "INVALID_PARAMETERS";
    public static final String INVALID_ACTION = "INVALID_ACTION";
    /** An id outside the rule of docs/isolation.md. */
    public static final String INVALID_ID = "INVALID_ID";
    /** No lease token, or one that cannot be a lease token. */
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    /** The live lease of the resource is another worker's. */
    public static final String NOT_LEASE_HOLDER = "NOT_LEASE_HOLDER";
    /** The lease behind the call has ended, expired, or belongs to a newer grant (or the token is not its token). */
    public static final String LEASE_NOT_LIVE = "LEASE_NOT_LIVE";
    public static final String MALFORMED_JSON = "MALFORMED_JSON";
    public static final String SESSION_NOT_FOUND = "SESSION_NOT_FOUND";
    public static final String SESSION_ENDED = "SESSION_ENDED";
    public static final String STALE_FENCING_TOKEN = "STALE_FENCING_TOKEN";
    public static final String VM_UNREACHABLE = "VM_UNREACHABLE";
    public static final String VM_TIMEOUT = "VM_TIMEOUT";
    public static final String VM_ERROR = "VM_ERROR";
    public static final String VM_CIRCUIT_OPEN = "VM_CIRCUIT_OPEN";
    /** The desktop has no such file or directory (its own 404, passed on). */
    public static final String NOT_FOUND = "NOT_FOUND";
    /** The caller's command or script ran past its own time limit on the desktop (the desktop's 408, passed on). */
    public static final String COMMAND_TIMEOUT = "COMMAND_TIMEOUT";
    /** The desktop's rate limit (its 429, passed on). */
    public static final String RATE_LIMITED = "RATE_LIMITED";
    /** A task's config step or evaluator getter/metric envgrid does not run (named in the message and details). */
    public static final String UNSUPPORTED_TASK_FEATURE = "UNSUPPORTED_TASK_FEATURE";
    public static final String REDIS_UNAVAILABLE = "REDIS_UNAVAILABLE";
    /** The device agent could not check the lease with the allocator just now (its 503, passed on). */
    public static final String ALLOCATOR_UNAVAILABLE = "ALLOCATOR_UNAVAILABLE";
    /** The desktop is being reset or has no display just now (the device agent's 503, passed on). */
    public static final String DESKTOP_UNAVAILABLE = "DESKTOP_UNAVAILABLE";
    /**
     * Fewer Redis replicas than {@code envgrid.vm-controller.redis.wait-replicas} acknowledged a session opening in time
     * (503, {@code details.acknowledged} / {@code required}); the master kept it, so the same call again returns it.
     */
    public static final String REPLICATION_TIMEOUT = "REPLICATION_TIMEOUT";
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";
    public static final String HTTP_ERROR = "HTTP_ERROR";
    /** A desktop's answer (a file, a recording, a command's output) over the controller's limit for it (413). */
    public static final String ANSWER_TOO_LARGE = "ANSWER_TOO_LARGE";
    /** A body over quarkus.http.limits.max-body-size (413). */
    public static final String BODY_TOO_LARGE = "BODY_TOO_LARGE";

    private ErrorCode() {
    }
}

package io.envgrid.gateway.error;

/** Envelope codes the gateway itself raises; a backend's own codes are passed through unchanged. */
public final class ErrorCode {

    public static final String INVALID_PARAMETERS = "INVALID_PARAMETERS";
    /** A body over quarkus.http.limits.max-body-size (413), refused by {@link HttpFailures} before any route reads it. */
    public static final String PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE";
    /** An id or type outside envgrid's one id rule (docs/isolation.md). */
    public static final String INVALID_ID = "INVALID_ID";
    /** A gateway token used for a worker id it does not cover. */
    public static final String WORKER_NOT_ENTITLED = "WORKER_NOT_ENTITLED";
    public static final String NOT_FOUND = "NOT_FOUND";
    public static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    /** An operation for operators (a token covering every worker id, {@code *}) asked by another token. */
    public static final String OPERATOR_ONLY = "OPERATOR_ONLY";
    public static final String FORBIDDEN_ORIGIN = "FORBIDDEN_ORIGIN";
    public static final String WORKER_MISMATCH = "WORKER_MISMATCH";
    public static final String WORKER_NOT_BOUND = "WORKER_NOT_BOUND";
    public static final String SESSION_ENDED = "SESSION_ENDED";
    public static final String NO_SUCH_RESOURCE = "NO_SUCH_RESOURCE";
    /** No live lease of the caller covers the resource named (docs/isolation.md: the one answer, whoever holds it). */
    public static final String LEASE_NOT_LIVE = "LEASE_NOT_LIVE";
    public static final String UNKNOWN_RESOURCE_TYPE = "UNKNOWN_RESOURCE_TYPE";
    public static final String UNKNOWN_TOOL = "UNKNOWN_TOOL";
    public static final String BACKEND_UNREACHABLE = "BACKEND_UNREACHABLE";
    public static final String BACKEND_TIMEOUT = "BACKEND_TIMEOUT";
    public static final String BACKEND_CIRCUIT_OPEN = "BACKEND_CIRCUIT_OPEN";
    public static final String BACKEND_BUSY = "BACKEND_BUSY";
    public static final String BACKEND_ERROR = "BACKEND_ERROR";
    public static final String BACKEND_NOT_READY = "BACKEND_NOT_READY";
    /** A cap on calls in flight was reached (the A2C-SMCP bridge's); the call was not made. */
    public static final String RATE_LIMITED = "RATE_LIMITED";
    public static final String SESSION_NOT_FOUND = "SESSION_NOT_FOUND";
    public static final String SESSION_BUSY = "SESSION_BUSY";
    public static final String SETUP_FAILED = "SETUP_FAILED";
    /**
     * A collection offered for lease that a Sandbox session cannot lease alone: the allocator grants by type, and the
     * collection's type also holds other collections (or several types offer it).
     */
    public static final String COLLECTION_NOT_LEASABLE = "COLLECTION_NOT_LEASABLE";
    public static final String FETCH_REFUSED = "FETCH_REFUSED";
    public static final String CANCELLED = "CANCELLED";
    public static final String REDIS_UNAVAILABLE = "REDIS_UNAVAILABLE";
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";

    private ErrorCode() {
    }
}

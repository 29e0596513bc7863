package io.envgrid.allocator.error;

/** The error codes this service puts in the envelope. */
public final class ErrorCode {
    public static final String INVALID_PARAMETERS = "INVALID_PARAMETERS";
    /** An id or type outside the one id rule of docs/isolation.md (missing or blank included). */
    public static final String INVALID_ID = "INVALID_ID";
    public static final String MALFORMED_JSON = "MALFORMED_JSON";
    /** A body over quarkus.http.limits.max-body-size (413). */
    public static final String PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE";
    public static final String UNKNOWN_RESOURCE_TYPE = "UNKNOWN_RESOURCE_TYPE";
    public static final String INSUFFICIENT_RESOURCES = "INSUFFICIENT_RESOURCES";
    /** An allocation whose types are served by different cells: it can never be granted all or nothing (400). */
    public static final String CROSS_CELL_REQUEST = "CROSS_CELL_REQUEST";
    /** A registration whose type belongs to another cell than the one holding the resource now (409). */
    public static final String RESOURCE_IN_OTHER_CELL = "RESOURCE_IN_OTHER_CELL";
    /** A request_id reused by another worker, or by the same worker with a different body. */
    public static final String REQUEST_ID_CONFLICT = "REQUEST_ID_CONFLICT";
    /** A request_id whose granted leases are no longer all live: a replay would hand out ended leases. */
    public static final String REQUEST_ID_SETTLED = "REQUEST_ID_SETTLED";
    public static final String RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND";
    public static final String NOT_LEASE_HOLDER = "NOT_LEASE_HOLDER";
    public static final String RESOURCE_LEASED = "RESOURCE_LEASED";
    public static final String LEASE_NOT_LIVE = "LEASE_NOT_LIVE";
    /** A reset report for a resource that is not resetting (409). */
    public static final String NOT_RESETTING = "NOT_RESETTING";
    /** A reset report naming another lease's fencing token than the one whose end is being reset after (409). */
    public static final String STALE_FENCING_TOKEN = "STALE_FENCING_TOKEN";
    public static final String REDIS_UNAVAILABLE = "REDIS_UNAVAILABLE";
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    /** A valid token used outside what its principal may do (an agent token on a worker's call). */
    public static final String FORBIDDEN = "FORBIDDEN";
    /** An inventory change by a principal that is not the resource's owner (403). */
    public static final String NOT_RESOURCE_OWNER = "NOT_RESOURCE_OWNER";
    /** An undrain by a principal other than the one that drained the resource, and not the service token (403). */
    public static final String NOT_DRAIN_OWNER = "NOT_DRAIN_OWNER";
    /** A plain delete of a resource whose reset is still owed (409); force=true deletes, the reset stays owed. */
    public static final String RESOURCE_RESETTING = "RESOURCE_RESETTING";
    /** A write Redis applied but fewer replicas than wait-replicas acknowledged in time (503, retryable). */
    public static final String REPLICATION_TIMEOUT = "REPLICATION_TIMEOUT";
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";
    public static final String HTTP_ERROR = "HTTP_ERROR";
    /** The client closed its connection before its allocation was answered (never actually received). */
    public static final String CLIENT_GONE = "CLIENT_GONE";

    private ErrorCode() {
    }
}

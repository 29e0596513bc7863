package io.envgrid.rag.error;

/** The error codes this service puts in the envelope. */
public final class ErrorCode {
    public static final String INVALID_PARAMETERS = "INVALID_PARAMETERS";
    public static final String MALFORMED_JSON = "MALFORMED_JSON";
    /** An id or name outside its rule (docs/isolation.md "One rule for ids"). */
    public static final String INVALID_ID = "INVALID_ID";
    public static final String PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE";
    public static final String INVALID_DOCUMENT = "INVALID_DOCUMENT";
    public static final String COLLECTION_NOT_FOUND = "COLLECTION_NOT_FOUND";
    public static final String DOCUMENT_NOT_FOUND = "DOCUMENT_NOT_FOUND";
    public static final String WARMING_UP = "WARMING_UP";
    public static final String INDEX_UNAVAILABLE = "INDEX_UNAVAILABLE";
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";
    public static final String HTTP_ERROR = "HTTP_ERROR";
    /** No credential, or one that is not valid for the call (docs/isolation.md "Error codes"). */
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    /** The lease token sent is not the live lease of the collection's resource. */
    public static final String LEASE_NOT_LIVE = "LEASE_NOT_LIVE";
    /** A live lease whose fencing token is lower than one already seen for that collection. */
    public static final String STALE_FENCING_TOKEN = "STALE_FENCING_TOKEN";
    /** The allocator could not be asked whether a lease is live: the call is refused (fail closed). */
    public static final String ALLOCATOR_UNAVAILABLE = "ALLOCATOR_UNAVAILABLE";

    private ErrorCode() {
    }
}

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

    private ErrorCode() {
    }
}

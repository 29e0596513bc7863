package io.envgrid.deviceagent.error;

/**
 * The error codes of the device tools' contract, plus codes for the limits and conflicts it names without one
 * (all listed in docs/contracts/errors.md).
 */
public final class ErrorCode {
    public static final String DEVICE_NOT_FOUND = "DEVICE_NOT_FOUND";
    public static final String DEVICE_CONNECTION_FAILED = "DEVICE_CONNECTION_FAILED";
    public static final String COMMAND_EXECUTION_FAILED = "COMMAND_EXECUTION_FAILED";
    public static final String INVALID_PARAMETERS = "INVALID_PARAMETERS";
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";
    public static final String TOOL_NOT_FOUND = "TOOL_NOT_FOUND";
    public static final String DEVICE_ALREADY_EXISTS = "DEVICE_ALREADY_EXISTS";
    public static final String DEVICE_ALREADY_BORROWED = "DEVICE_ALREADY_BORROWED";
    public static final String DEVICE_NOT_BORROWED = "DEVICE_NOT_BORROWED";
    public static final String FILE_TOO_LARGE = "FILE_TOO_LARGE";
    public static final String UNSUPPORTED_FILE_TYPE = "UNSUPPORTED_FILE_TYPE";
    public static final String RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED";
    public static final String HTTP_ERROR = "HTTP_ERROR";
    /** A borrow could not be checked against allocator leases (503). */
    public static final String ALLOCATOR_UNAVAILABLE = "ALLOCATOR_UNAVAILABLE";
    /** docs/isolation.md: an id or type outside the one id rule (400). */
    public static final String INVALID_ID = "INVALID_ID";
    /** docs/isolation.md: no credential, or one that is not valid (401). */
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    /** docs/isolation.md: the lease behind the call has ended, expired, or belongs to a newer grant (409). */
    public static final String LEASE_NOT_LIVE = "LEASE_NOT_LIVE";
    /** docs/isolation.md: a fencing token lower than one already seen for that resource (409). */
    public static final String STALE_FENCING_TOKEN = "STALE_FENCING_TOKEN";
    /** {@code device.return} by someone other than the borrower, without the service token (403). */
    public static final String NOT_BORROWER = "NOT_BORROWER";

    /** A desktop route's file ({@code POST /file}) does not exist (404). */
    public static final String FILE_NOT_FOUND = "FILE_NOT_FOUND";
    /** The desktop has no X display on this host (503: a dependency that is not there). */
    public static final String DESKTOP_UNAVAILABLE = "DESKTOP_UNAVAILABLE";
    /** A desktop route naming a desktop this agent does not serve (fleet routing). */
    public static final String DESKTOP_NOT_FOUND = "DESKTOP_NOT_FOUND";

    /** The Computer hosts no MCP server of that bundle id (404). */
    public static final String MCP_SERVER_NOT_FOUND = "MCP_SERVER_NOT_FOUND";
    /** No running Computer tool call has that req_id (404). */
    public static final String CALL_NOT_FOUND = "CALL_NOT_FOUND";

    private ErrorCode() {
    }
}

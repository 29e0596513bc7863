package io.envgrid.errors;

/**
 * The envelope codes {@link ErrorMappers} answers with on its own; every service's {@code ErrorCode} has the same
 * values under the same names.
 */
public final class CommonCodes {
    /** A body that is not JSON, or not of the endpoint's shape (400), unless a service names its own code. */
    public static final String MALFORMED_JSON = "MALFORMED_JSON";
    /** A refusal of the HTTP layer (404 of no route, 405, 406, 415, …) with its status. */
    public static final String HTTP_ERROR = "HTTP_ERROR";
    /** A fault: 500, logged with its stack, no detail to the caller. */
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";

    private CommonCodes() {
    }
}

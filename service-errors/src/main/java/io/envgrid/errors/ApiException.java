package io.envgrid.errors;

import java.util.Map;

/**
 * A refusal or fault with its HTTP status and envelope code; thrown anywhere, rendered by {@link ErrorMappers}
 * as {@link ErrorEnvelope} with that status. Each service subclasses it with factories for its own codes.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final Map<String, Object> details;

    /** {@code details} null is taken as none. */
    public ApiException(int status, String code, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details == null ? Map.of() : details;
    }

    /** A refusal without details ({@code error.details} is {@code {}}). */
    public ApiException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    /** The HTTP status of the answer (4xx for the caller's mistakes, 5xx for faults). */
    public int status() {
        return status;
    }

    /** The envelope's {@code error.code}: one of the throwing service's {@code ErrorCode} constants. */
    public String code() {
        return code;
    }

    /** The envelope's {@code error.details}; never null. */
    public Map<String, Object> details() {
        return details;
    }
}

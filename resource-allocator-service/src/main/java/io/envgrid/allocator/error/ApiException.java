package io.envgrid.allocator.error;

import java.util.Map;

/** A failure with its HTTP status and envelope code; thrown anywhere, rendered by {@link ErrorMappers}. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final Map<String, Object> details;

    public ApiException(int status, String code, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details == null ? Map.of() : details;
    }

    public ApiException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, ErrorCode.INVALID_PARAMETERS, message);
    }

    /** An id or type outside the id rule: 400 {@code INVALID_ID}, the field named in details. */
    public static ApiException invalidId(String field, String message) {
        return new ApiException(400, ErrorCode.INVALID_ID, message, Map.of("field", field));
    }

    public static ApiException notFound(String resourceId) {
        return new ApiException(404, ErrorCode.RESOURCE_NOT_FOUND, "no resource '" + resourceId + "'",
                Map.of("resource_id", resourceId));
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }
}

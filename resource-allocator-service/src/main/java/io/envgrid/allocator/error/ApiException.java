package io.envgrid.allocator.error;

import io.envgrid.errors.ErrorMappers;
import java.util.Map;

/**
 * The shared {@link io.envgrid.errors.ApiException} with this service's factories; thrown anywhere, rendered by the
 * shared {@link ErrorMappers}.
 */
public class ApiException extends io.envgrid.errors.ApiException {

    public ApiException(int status, String code, String message, Map<String, Object> details) {
        super(status, code, message, details);
    }

    public ApiException(int status, String code, String message) {
        super(status, code, message);
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
}

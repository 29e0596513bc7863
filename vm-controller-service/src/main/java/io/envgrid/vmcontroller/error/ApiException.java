package io.envgrid.vmcontroller.error;

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

    public static ApiException badRequest(String message) {
        return new ApiException(400, ErrorCode.INVALID_PARAMETERS, message, Map.of());
    }

    public static ApiException invalidAction(String message) {
        return new ApiException(400, ErrorCode.INVALID_ACTION, message, Map.of());
    }
}

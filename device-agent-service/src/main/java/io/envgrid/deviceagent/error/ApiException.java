package io.envgrid.deviceagent.error;

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

    public static ApiException deviceNotFound(String deviceId) {
        return new ApiException(404, ErrorCode.DEVICE_NOT_FOUND, "no device '" + deviceId + "'",
                Map.of("device_id", deviceId));
    }

    public static ApiException conflict(String code, String message, String deviceId) {
        return new ApiException(409, code, message, Map.of("device_id", deviceId));
    }
}

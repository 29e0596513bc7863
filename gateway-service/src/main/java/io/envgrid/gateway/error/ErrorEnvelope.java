package io.envgrid.gateway.error;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Map;

/** The one error shape of every envgrid service: {@code {"error": {code, message, details, timestamp}}}. */
@RegisterForReflection
public record ErrorEnvelope(Body error) {

    @RegisterForReflection
    public record Body(String code, String message, Map<String, Object> details, String timestamp) {
    }

    public static ErrorEnvelope of(String code, String message, Map<String, Object> details) {
        return new ErrorEnvelope(new Body(code, message, details, Instant.now().toString()));
    }
}

package io.envgrid.deviceagent.computer.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * {@code type: sse} (MCP's older HTTP+SSE transport): {@code url} of the SSE endpoint, extra {@code headers},
 * {@code timeout} and {@code sse_read_timeout} in seconds.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SseParameters(
        @JsonProperty("url") String url,
        @JsonProperty("headers") Map<String, String> headers,
        @JsonProperty("timeout") Double timeout,
        @JsonProperty("sse_read_timeout") Double sseReadTimeout) implements HttpServerParameters {

    @Override
    public String typeName() {
        return "sse";
    }

    @Override
    public SseParameters withEndpoint(String url, Map<String, String> headers) {
        return new SseParameters(url, headers, timeout, sseReadTimeout);
    }
}

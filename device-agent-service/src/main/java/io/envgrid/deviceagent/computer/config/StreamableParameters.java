package io.envgrid.deviceagent.computer.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * {@code type: streamable} (MCP Streamable HTTP): {@code url} of the MCP endpoint, extra {@code headers},
 * {@code timeout} (ISO-8601 duration, e.g. {@code PT30S}) for each request, {@code sse_read_timeout} (ISO-8601) and
 * {@code terminate_on_close} as the reference names them.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamableParameters(
        @JsonProperty("url") String url,
        @JsonProperty("headers") Map<String, String> headers,
        @JsonProperty("timeout") String timeout,
        @JsonProperty("sse_read_timeout") String sseReadTimeout,
        @JsonProperty("terminate_on_close") Boolean terminateOnClose) implements HttpServerParameters {

    @Override
    public String typeName() {
        return "streamable";
    }

    @Override
    public StreamableParameters withEndpoint(String url, Map<String, String> headers) {
        return new StreamableParameters(url, headers, timeout, sseReadTimeout, terminateOnClose);
    }
}

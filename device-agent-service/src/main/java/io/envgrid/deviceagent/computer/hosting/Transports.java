package io.envgrid.deviceagent.computer.hosting;

import io.envgrid.deviceagent.computer.config.HttpServerParameters;
import io.envgrid.deviceagent.computer.config.InputValues;
import io.envgrid.deviceagent.computer.config.McpServerConfig;
import io.envgrid.deviceagent.computer.config.SseParameters;
import io.envgrid.deviceagent.computer.config.StdioParameters;
import io.envgrid.deviceagent.computer.config.StreamableParameters;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.customizer.McpSyncHttpClientRequestCustomizer;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Builds the MCP Java SDK transport of a server config, with its {@code ${input:…}} placeholders rendered now: stdio
 * through {@link StdioProcessTransport} (the process, its environment and its group are the Computer's, see
 * {@link StdioCommand}), Streamable HTTP and SSE through the SDK's {@code HttpClient} transports.
 */
final class Transports {

    private Transports() {
    }

    static McpClientTransport of(McpServerConfig config, InputValues inputs, McpJsonMapper json,
            ServerProcesses processes) {
        if (config.serverParameters() instanceof StdioParameters stdio) {
            return new StdioProcessTransport(String.valueOf(config.bundleId()),
                    StdioCommand.of(stdio, inputs, System.getenv()), processes, json);
        }
        HttpServerParameters http = (HttpServerParameters) config.serverParameters();
        URI url = url(inputs.render(http.url()));
        McpSyncHttpClientRequestCustomizer headers = headers(inputs.render(http.headers()));
        if (http instanceof StreamableParameters) {
            return HttpClientStreamableHttpTransport.builder(origin(url)).endpoint(pathAndQuery(url)).jsonMapper(json)
                    .httpRequestCustomizer(headers).build();
        }
        return HttpClientSseClientTransport.builder(origin(url)).sseEndpoint(pathAndQuery(url)).jsonMapper(json)
                .httpRequestCustomizer(headers).build();
    }

    /** Per-request time limit of a server, when its config names one. */
    static Duration requestTimeout(McpServerConfig config, Duration fallback) {
        if (config.serverParameters() instanceof StreamableParameters p && p.timeout() != null) {
            return Duration.parse(p.timeout());
        }
        if (config.serverParameters() instanceof SseParameters p && p.timeout() != null) {
            return Duration.ofMillis(Math.round(p.timeout() * 1000));
        }
        return fallback;
    }

    private static McpSyncHttpClientRequestCustomizer headers(Map<String, String> headers) {
        return (request, method, uri, body, context) -> headers.forEach(request::setHeader);
    }

    /** The rendered URL; its text stays out of the error, since an input may have put a secret in it. */
    private static URI url(String rendered) {
        try {
            URI url = new URI(rendered);
            if (url.getScheme() == null || url.getRawAuthority() == null) {
                throw new IllegalArgumentException("server_parameters.url is no absolute URL once its inputs are"
                        + " rendered");
            }
            return url;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("server_parameters.url is no URL once its inputs are rendered");
        }
    }

    private static String origin(URI url) {
        return url.getScheme() + "://" + url.getRawAuthority();
    }

    private static String pathAndQuery(URI url) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }
}

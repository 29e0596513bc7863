package io.envgrid.deviceagent.computer.hosting;

import io.envgrid.deviceagent.computer.config.InputValues;
import io.envgrid.deviceagent.computer.config.McpServerConfig;
import io.envgrid.deviceagent.computer.config.SseParameters;
import io.envgrid.deviceagent.computer.config.StdioParameters;
import io.envgrid.deviceagent.computer.config.StreamableParameters;
import io.envgrid.deviceagent.exec.WorkerEnvironment;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.client.transport.customizer.McpSyncHttpClientRequestCustomizer;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds the MCP Java SDK transport of a server config, with its {@code ${input:…}} placeholders rendered now.
 *
 * <p>stdio: the SDK's {@link ProcessBuilder} keeps the agent's whole environment (its service token among it) and
 * has no working directory setting, so the command runs under {@code /usr/bin/env}: {@code -C cwd} when a cwd is
 * set, and {@code -u NAME} for every variable of the agent that {@link WorkerEnvironment} would not pass to a host
 * process (names only: no value ever appears on a command line). The config's {@code env} is added on top.
 */
final class Transports {

    private static final String ENV = "/usr/bin/env";

    private Transports() {
    }

    static McpClientTransport of(McpServerConfig config, InputValues inputs, McpJsonMapper json) {
        if (config.serverParameters() instanceof StdioParameters stdio) {
            return stdio(stdio, inputs, json);
        }
        if (config.serverParameters() instanceof StreamableParameters p) {
            URI url = URI.create(inputs.render(p.url()));
            HttpClientStreamableHttpTransport.Builder b = HttpClientStreamableHttpTransport.builder(origin(url))
                    .endpoint(pathAndQuery(url)).jsonMapper(json)
                    .httpRequestCustomizer(headers(inputs.render(p.headers())));
            return b.build();
        }
        SseParameters p = (SseParameters) config.serverParameters();
        URI url = URI.create(inputs.render(p.url()));
        return HttpClientSseClientTransport.builder(origin(url)).sseEndpoint(pathAndQuery(url)).jsonMapper(json)
                .httpRequestCustomizer(headers(inputs.render(p.headers()))).build();
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

    private static McpClientTransport stdio(StdioParameters p, InputValues inputs, McpJsonMapper json) {
        Map<String, String> env = inputs.render(p.env());
        List<String> args = new ArrayList<>();
        String cwd = inputs.render(p.cwd());
        if (cwd != null) {
            args.add("-C");
            args.add(cwd);
        }
        for (String name : new TreeSet<>(System.getenv().keySet())) {
            if (!WorkerEnvironment.allowed(name) && !env.containsKey(name)) {
                args.add("-u");
                args.add(name);
            }
        }
        args.add(inputs.render(p.command()));
        args.addAll(inputs.render(p.args()));
        return new StdioClientTransport(ServerParameters.builder(ENV).args(args).env(env).build(), json);
    }

    private static McpSyncHttpClientRequestCustomizer headers(Map<String, String> headers) {
        return (request, method, uri, body, context) -> headers.forEach(request::setHeader);
    }

    private static String origin(URI url) {
        return url.getScheme() + "://" + url.getRawAuthority();
    }

    private static String pathAndQuery(URI url) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }
}

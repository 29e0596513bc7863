package io.envgrid.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.envgrid.gateway.client.LeaseToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * An HTTP endpoint on 127.0.0.1 standing in for a service the gateway calls (a rag instance, a device agent, whatever
 * a registrant wrote into a resource record): it records every request (method, raw path, the credentials' headers,
 * the JSON body) and answers 200 with the JSON its {@code answer} gives for the raw path.
 */
public final class RecordingEndpoint implements AutoCloseable {

    /** One request as it arrived; {@code authorization} and {@code leaseToken} are null when absent. */
    public record Seen(String method, String rawPath, String authorization, String leaseToken, JsonNode body) {
    }

    private final HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private RecordingEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Starts on a free port; {@code answer} maps a raw path to the JSON text answered. */
    public static RecordingEndpoint start(UnaryOperator<String> answer) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RecordingEndpoint endpoint = new RecordingEndpoint(server);
        server.createContext("/", x -> {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = x.getRequestURI().getRawPath();
            endpoint.seen.add(new Seen(x.getRequestMethod(), path, x.getRequestHeaders().getFirst("Authorization"),
                    x.getRequestHeaders().getFirst(LeaseToken.HEADER), body.isEmpty() ? null : McpSteps.readTree(body)));
            byte[] bytes = answer.apply(path).getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            // no kept-alive connection for the JDK server to drop while the gateway's pool would reuse it
            x.getResponseHeaders().add("Connection", "close");
            x.sendResponseHeaders(200, bytes.length);
            x.getResponseBody().write(bytes);
            x.close();
        });
        // a thread per exchange: one slow exchange does not hold the next behind it on the dispatcher thread
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return endpoint;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every request so far, in arrival order. */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** The requests whose raw path starts with {@code rawPathPrefix}. */
    public List<Seen> at(String rawPathPrefix) {
        return seen.stream().filter(s -> s.rawPath().startsWith(rawPathPrefix)).toList();
    }

    public void forget() {
        seen.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

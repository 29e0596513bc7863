package io.envgrid.gateway.smcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * One MCP Streamable HTTP session on a replica, spoken raw (JSON answers, or the SSE stream of a call with a progress
 * token): what the SDK client cannot do — calls in parallel on one session, and a request on the session with another
 * token of the same principal.
 */
final class McpBridgeSession {

    private static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1: the JDK client otherwise asks for an h2c upgrade, and the upgraded request reaches the Host check without a Host
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final String url;
    private final String id;
    private final AtomicInteger requests = new AtomicInteger(1);

    private McpBridgeSession(String url, String id) {
        this.url = url;
        this.id = id;
    }

    /** Opens a session on {@code baseUrl}'s {@code /mcp} with {@code token}. */
    static McpBridgeSession open(String baseUrl, String token) {
        String url = baseUrl + "/mcp";
        HttpResponse<String> answer = send(request(url, token, null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
                + "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"))
                .join();
        if (answer.statusCode() != 200) {
            throw new AssertionError("initialize: " + answer.statusCode() + " " + answer.body());
        }
        return new McpBridgeSession(url, answer.headers().firstValue("Mcp-Session-Id").orElseThrow());
    }

    /** {@code tools/call}: the JSON-RPC answer (with {@code result} or {@code error}). */
    JsonNode call(String token, String tool, ObjectNode arguments) {
        return callAsync(token, tool, arguments).join();
    }

    CompletableFuture<JsonNode> callAsync(String token, String tool, ObjectNode arguments) {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", requests.incrementAndGet())
                .put("method", "tools/call");
        body.putObject("params").put("name", tool).set("arguments", arguments);
        return rpc(token, body);
    }

    /**
     * {@code tools/call} with {@code _meta.progressToken} {@code progressToken}: the answer is an SSE stream, and the
     * item is every JSON-RPC message on it (progress notifications, then the response), in order. {@code onOpen} runs
     * with the request id once the stream's headers arrived (to cancel the call, say).
     */
    CompletableFuture<List<JsonNode>> callWithProgress(String token, String tool, ObjectNode arguments, String progressToken,
            IntConsumer onOpen) {
        int requestId = requests.incrementAndGet();
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", requestId).put("method", "tools/call");
        ObjectNode params = body.putObject("params").put("name", tool);
        params.set("arguments", arguments);
        params.putObject("_meta").put("progressToken", progressToken);
        return HTTP.sendAsync(request(url, token, id, body.toString()), HttpResponse.BodyHandlers.ofLines())
                .thenApplyAsync(answer -> {
                    if (answer.statusCode() != 200) {
                        throw new AssertionError("tools/call with progress: " + answer.statusCode());
                    }
                    onOpen.accept(requestId);
                    List<JsonNode> messages = new ArrayList<>();
                    answer.body().filter(line -> line.startsWith("data:")).forEach(line -> {
                        try {
                            messages.add(JSON.readTree(line.substring(5).trim()));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    return messages;
                });
    }

    /** {@code notifications/cancelled} for request {@code requestId} of this session (202, no answer). */
    CompletableFuture<Integer> cancel(String token, int requestId) {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/cancelled");
        body.putObject("params").put("requestId", requestId).put("reason", "test");
        return send(request(url, token, id, body.toString())).thenApply(HttpResponse::statusCode);
    }

    /** {@code tools/list}: the names listed. */
    String toolNames(String token) {
        StringBuilder names = new StringBuilder();
        tools(token).forEach(t -> names.append(t.path("name").asText()).append(' '));
        return names.toString();
    }

    /** {@code tools/list}: the tools listed ({@code [{name, title?, description, inputSchema, _meta?, …}]}). */
    JsonNode tools(String token) {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", requests.incrementAndGet())
                .put("method", "tools/list");
        return rpc(token, body).join().path("result").path("tools");
    }

    /** The HTTP status of a {@code tools/list} on this session with {@code token} (401 for a token refused). */
    int listStatus(String token) {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", requests.incrementAndGet())
                .put("method", "tools/list");
        return send(request(url, token, id, body.toString())).join().statusCode();
    }

    private CompletableFuture<JsonNode> rpc(String token, ObjectNode body) {
        return send(request(url, token, id, body.toString())).thenApply(answer -> {
            if (answer.statusCode() != 200) {
                throw new AssertionError(answer.statusCode() + " " + answer.body());
            }
            try {
                return JSON.readTree(answer.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static ObjectNode args() {
        return JSON.createObjectNode();
    }

    private static HttpRequest request(String url, String token, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-11-25").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return request.build();
    }

    private static CompletableFuture<HttpResponse<String>> send(HttpRequest request) {
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }
}

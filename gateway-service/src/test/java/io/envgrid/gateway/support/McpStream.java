package io.envgrid.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Streamable HTTP session driven by hand: JSON-RPC requests as POSTs (answered with JSON) and
 * the session's standalone {@code GET /mcp} event stream, whose messages are collected for
 * {@link #await}. POSTs and the stream may go to different gateway replicas.
 */
public final class McpStream implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** HTTP/1.1: an h2c upgrade reaches the gateway without a Host header, which its DNS-rebinding check refuses. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String postUrl;
    private final String sessionId;
    /** The bearer token every request of this client carries; null for none (the tests' open mode). */
    private final String bearer;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    /** The SSE event id of each message received (null for one without), in step with {@link #received}. */
    private final List<String> eventIds = new CopyOnWriteArrayList<>();
    private java.util.concurrent.CompletableFuture<?> stream;
    private java.util.stream.Stream<String> lines;
    private int nextId = 100;

    private McpStream(String postUrl, String sessionId, String bearer) {
        this.postUrl = postUrl;
        this.sessionId = sessionId;
        this.bearer = bearer;
    }

    /** Initializes a session at {@code postUrl} (protocol 2025-11-25). */
    public static McpStream initialize(String postUrl) {
        return initialize(postUrl, null);
    }

    /** As {@link #initialize(String)}, every request with the bearer token {@code bearer}. */
    public static McpStream initialize(String postUrl, String bearer) {
        HttpResponse<String> answer = post(postUrl, null, bearer, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"stream-test\",\"version\":\"1\"}}}");
        String session = answer.headers().firstValue("Mcp-Session-Id").orElseThrow(() -> new AssertionError(answer.body()));
        McpStream client = new McpStream(postUrl, session, bearer);
        client.initializeResult = readTree(answer.body());
        return client;
    }

    private JsonNode initializeResult;

    public JsonNode initializeResult() {
        return initializeResult;
    }

    public String sessionId() {
        return sessionId;
    }

    /**
     * Another client of this same session (a second connection of the agent, or the agent reconnecting): its own
     * standalone stream and messages; closing it ends the session as {@link #close} does.
     */
    public McpStream sameSession() {
        return new McpStream(postUrl, sessionId, bearer);
    }

    /** Opens the standalone stream at {@code streamUrl} (any replica's /mcp) and waits until it is open. */
    public McpStream openStream(String streamUrl) {
        return openStream(streamUrl, null);
    }

    /** As {@link #openStream(String)}, resuming after event {@code lastEventId} when not null. */
    public McpStream openStream(String streamUrl, String lastEventId) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(streamUrl)).header("Accept", "text/event-stream")
                .header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25").GET();
        if (lastEventId != null) {
            builder.header("Last-Event-ID", lastEventId);
        }
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        HttpRequest request = builder.build();
        java.util.concurrent.CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response =
                HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        HttpResponse<java.util.stream.Stream<String>> opened;
        try {
            opened = response.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the stream did not open", e);
        }
        if (opened.statusCode() != 200) {
            throw new AssertionError("GET /mcp answered " + opened.statusCode());
        }
        lines = opened.body();
        String[] id = {null};
        stream = java.util.concurrent.CompletableFuture.runAsync(() -> lines.forEach(line -> {
            if (line.startsWith("id: ")) {
                id[0] = line.substring("id: ".length());
            } else if (line.startsWith("data: ")) {
                eventIds.add(id[0]);
                received.add(readTree(line.substring("data: ".length())));
                id[0] = null;
            }
        }));
        return this;
    }

    /** Closes the standalone stream's connection, as a client that lost it; the session lives on. */
    public void closeStream() {
        if (lines != null) {
            lines.close();
        }
        if (stream != null) {
            stream.cancel(true);
        }
    }

    /** The event ids of the messages {@link #received}, in the same order. */
    public List<String> eventIds() {
        return List.copyOf(eventIds);
    }

    /** Sends one request and answers its JSON-RPC response. */
    public JsonNode request(String method, String paramsJson) {
        return readTree(send(method, paramsJson).body());
    }

    /** Sends one request and answers the HTTP response as it came (status and body). */
    public HttpResponse<String> send(String method, String paramsJson) {
        int id = nextId++;
        return post(postUrl, sessionId, bearer, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method
                + "\",\"params\":" + paramsJson + "}");
    }

    /** The first message on the stream that passes {@code wanted}, waiting up to {@code timeout}. */
    public JsonNode await(String what, Duration timeout, Predicate<JsonNode> wanted) {
        Conditions.await(what + " (received: " + received + ")", timeout, () -> received.stream().anyMatch(wanted));
        return received.stream().filter(wanted).findFirst().orElseThrow();
    }

    /** Whether the server has ended the standalone stream. */
    public boolean streamEnded() {
        return stream != null && stream.isDone();
    }

    public List<JsonNode> received() {
        return List.copyOf(received);
    }

    /** Messages of one method whose params.data.event (log messages) or params.uri equals {@code key}. */
    public static Predicate<JsonNode> message(String method, String key) {
        return m -> method.equals(m.path("method").asText()) && (key == null
                || key.equals(m.path("params").path("data").path("event").asText())
                || key.equals(m.path("params").path("uri").asText()));
    }

    @Override
    public void close() {
        HttpRequest.Builder deleting = HttpRequest.newBuilder(URI.create(postUrl)).header("Mcp-Session-Id", sessionId).DELETE();
        if (bearer != null) {
            deleting.header("Authorization", "Bearer " + bearer);
        }
        HttpRequest delete = deleting.build();
        try {
            HTTP.send(delete, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stream != null) {
            stream.cancel(true);
        }
    }

    private static HttpResponse<String> post(String url, String session, String bearer, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readTree(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

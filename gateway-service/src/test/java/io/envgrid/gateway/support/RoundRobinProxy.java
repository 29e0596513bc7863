package io.envgrid.gateway.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An HTTP proxy that sends each request to the next backend in turn, with no affinity of any kind
 * (no cookie, no hashing of Mcp-Session-Id): the worst case for a stateful MCP server. Response
 * bodies are streamed, so event streams pass through as they are written. One made by {@link #recording(int)} also
 * keeps the request bodies its backend accepted.
 */
public final class RoundRobinProxy implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    /** Event streams hold a backend connection each for as long as they last: more than Vert.x' 5 by default. */
    private final HttpClient client = vertx.createHttpClient(new HttpClientOptions(),
            new PoolOptions().setHttp1MaxSize(64));
    private final List<Integer> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLongArray served;
    private final HttpServer server;
    private final boolean recording;
    private final List<String> accepted = new CopyOnWriteArrayList<>();

    public RoundRobinProxy(List<Integer> backendPorts) {
        this(backendPorts, false);
    }

    private RoundRobinProxy(List<Integer> backendPorts, boolean recording) {
        this.backends = List.copyOf(backendPorts);
        this.recording = recording;
        this.served = new AtomicLongArray(backends.size());
        try {
            this.server = vertx.createHttpServer().requestHandler(this::forward).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("proxy did not start", e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    /**
     * A proxy in front of the one backend on {@code backendPort} that keeps the body of each request the backend
     * answered with a 2xx status ({@link #accepted()}): what an HTTP MCP server received, one JSON-RPC message a
     * body, as {@code tee} shows it for a stdio server. Request bodies are read whole before they are sent on.
     */
    public static RoundRobinProxy recording(int backendPort) {
        return new RoundRobinProxy(List.of(backendPort), true);
    }

    /** Requests each backend has received. */
    public long served(int backend) {
        return served.get(backend);
    }

    /**
     * The non-empty request bodies (UTF-8 text) the backend accepted so far, in the order its answers began; always
     * empty unless made by {@link #recording(int)}.
     */
    public List<String> accepted() {
        return List.copyOf(accepted);
    }

    private void forward(HttpServerRequest request) {
        int backend = Math.floorMod(next.getAndIncrement(), backends.size());
        served.incrementAndGet(backend);
        RequestOptions options = new RequestOptions().setMethod(request.method()).setHost("127.0.0.1")
                .setPort(backends.get(backend)).setURI(request.uri());
        if (recording) {
            request.body().onSuccess(body -> send(request, options, body)).onFailure(e -> fail(request.response()));
        } else {
            request.pause();
            send(request, options, null);
        }
    }

    /** Sends {@code request} on, with {@code body} when it was read already, else streaming its own body. */
    private void send(HttpServerRequest request, RequestOptions options, Buffer body) {
        client.request(options).onSuccess(outgoing -> {
            copyHeaders(request.headers(), outgoing.headers());
            (body == null ? outgoing.send(request) : outgoing.send(body)).onSuccess(response -> {
                if (body != null && body.length() > 0 && response.statusCode() / 100 == 2) {
                    accepted.add(body.toString(StandardCharsets.UTF_8));
                }
                relay(response, request.response());
            }).onFailure(e -> fail(request.response()));
        }).onFailure(e -> fail(request.response()));
    }

    private static void relay(HttpClientResponse from, HttpServerResponse to) {
        to.setStatusCode(from.statusCode());
        copyHeaders(from.headers(), to.headers());
        String length = from.getHeader("Content-Length");
        if (length == null) {
            to.setChunked(true);
        } else {
            to.putHeader("Content-Length", length);
        }
        // A client that goes away mid-stream (an abandoned SSE stream) is passed on as the backend request's
        // reset, as a real proxy does; the pipe otherwise keeps writing into the closed response.
        to.closeHandler(closed -> from.request().reset());
        from.pipeTo(to);
    }

    /** Hop-by-hop headers stay behind; framing is redone on each side. */
    private static void copyHeaders(MultiMap from, MultiMap to) {
        from.forEach(h -> {
            String name = h.getKey().toLowerCase();
            if (!name.equals("connection") && !name.equals("transfer-encoding") && !name.equals("content-length")
                    && !name.equals("keep-alive")) {
                to.add(h.getKey(), h.getValue());
            }
        });
    }

    private static void fail(HttpServerResponse response) {
        if (!response.headWritten()) {
            response.setStatusCode(502).end();
        }
    }

    @Override
    public void close() {
        vertx.close();
    }
}

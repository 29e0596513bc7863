package io.envgrid.gateway.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An HTTP proxy that sends each request to the next backend in turn, with no affinity of any kind
 * (no cookie, no hashing of Mcp-Session-Id): the worst case for a stateful MCP server. Response
 * bodies are streamed, so event streams pass through as they are written.
 */
public final class RoundRobinProxy implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client = vertx.createHttpClient();
    private final List<Integer> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLongArray served;
    private final HttpServer server;

    public RoundRobinProxy(List<Integer> backendPorts) {
        this.backends = List.copyOf(backendPorts);
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

    /** Requests each backend has received. */
    public long served(int backend) {
        return served.get(backend);
    }

    private void forward(HttpServerRequest request) {
        request.pause();
        int backend = Math.floorMod(next.getAndIncrement(), backends.size());
        served.incrementAndGet(backend);
        RequestOptions options = new RequestOptions().setMethod(request.method()).setHost("127.0.0.1")
                .setPort(backends.get(backend)).setURI(request.uri());
        client.request(options).onSuccess(outgoing -> {
            copyHeaders(request.headers(), outgoing.headers());
            outgoing.send(request).onSuccess(response -> relay(response, request.response()))
                    .onFailure(e -> fail(request.response()));
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

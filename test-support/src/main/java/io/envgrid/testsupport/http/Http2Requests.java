package io.envgrid.testsupport.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP/2 requests with prior knowledge (RFC 9113 §3.3: the client opens with the connection preface, no upgrade) whose
 * body is framed in DATA frames only, without {@code Content-Length} or {@code Transfer-Encoding}: the shape an
 * HTTP/1.1-minded "does it carry a body" check misses.
 */
public final class Http2Requests {

    private Http2Requests() {
    }

    /**
     * POSTs to {@code 127.0.0.1:port} + {@code path} with {@code headers}, sends the first bytes of a body and
     * withholds the rest; the status if an answer came within {@code wait} (so before the body was whole), else empty.
     * The stream is reset afterwards, the connection closed.
     *
     * @throws Exception when the server cannot be reached within {@code wait}
     */
    public static OptionalInt statusBeforeBody(Vertx vertx, int port, String path, Map<String, String> headers,
            Duration wait) throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
        try {
            HttpClientRequest request = client.request(HttpMethod.POST, port, "127.0.0.1", path)
                    .toCompletionStage().toCompletableFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            CompletableFuture<Integer> status = new CompletableFuture<>();
            request.response().onSuccess(response -> status.complete(response.statusCode()));
            headers.forEach(request::putHeader);
            request.setChunked(true).write("{\"first\":");
            try {
                return OptionalInt.of(status.get(wait.toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException notAnswered) {
                return OptionalInt.empty();
            } finally {
                request.reset();
            }
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}

package io.envgrid.vmcontroller.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for a VM: no VM can run here, so each test starts this Vert.x HTTP server, which
 * speaks the OSWorld in-VM server protocol (desktop_env/server/main.py) with canned answers,
 * records every request it gets, and can be made slow or broken to exercise deadlines and the
 * circuit breaker.
 */
public final class FakeVm implements AutoCloseable {

    /** The first bytes of a PNG file: enough for the controller, which passes screenshots on untouched. */
    public static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    public static final byte[] MP4 = "....ftypisom-recording".getBytes(StandardCharsets.US_ASCII);

    /** How the fake answers. */
    public enum Mode {
        HEALTHY,
        /** Answers after {@link #delayMs}. */
        SLOW,
        /** Drops every connection without an answer, as a VM whose server died does. */
        BROKEN,
        /** Answers 500, as OSWorld's server does when the command itself fails to start. */
        FAILING,
        /** Answers 200 with text where an image or JSON belongs. */
        GARBLED
    }

    /** One request as the fake got it; {@code leaseToken} is its X-Envgrid-Lease-Token header (null if none). */
    public record Received(String method, String path, String contentType, String leaseToken, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.HEALTHY;
    private volatile long delayMs;
    /** Answers given instead of the canned ones, by path (see {@link #answer}). */
    private final Map<String, Answer> scripted = new ConcurrentHashMap<>();

    /** An answer as a desktop gives it: status, content type, body. */
    public record Answer(int status, String contentType, String body) {
    }

    /**
     * Ports fakes of this JVM have had: the controller keeps a circuit breaker per VM address, so a port the OS hands
     * out again would give a new fake an earlier test's breaker (VmFailureTest saw it already open).
     */
    private static final java.util.Set<Integer> USED_PORTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public FakeVm() {
        try {
            HttpServer started = listen();
            while (!USED_PORTS.add(started.actualPort())) {
                HttpServer reused = started;
                started = listen(); // before closing the reused one, so the OS cannot hand out the same port again
                reused.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            server = started;
        } catch (Exception e) {
            throw new IllegalStateException("fake VM did not start", e);
        }
    }

    private HttpServer listen() throws Exception {
        return vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public int port() {
        return server.actualPort();
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    public void slow(long delayMs) {
        this.delayMs = delayMs;
        this.mode = Mode.SLOW;
    }

    /**
     * From now on, answers every request to {@code path} with {@code answer} (in any mode), as a desktop
     * that refuses or fails that request does; {@code null} restores the canned answer.
     */
    public void answer(String path, Answer answer) {
        if (answer == null) {
            scripted.remove(path);
        } else {
            scripted.put(path, answer);
        }
    }

    /** A large answer written in chunks: {@code total} bytes of {@code fill}, with extra response headers. */
    public record Streamed(String contentType, Map<String, String> headers, long total, byte fill) {
    }

    private final Map<String, Streamed> streamed = new ConcurrentHashMap<>();
    private final Map<String, byte[]> raw = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> rawHeaders = new ConcurrentHashMap<>();

    /**
     * From now on, answers {@code path} with {@code answer.total()} bytes, written as the controller reads them (a
     * desktop serving a huge file or an endless answer); {@code null} restores the canned answer.
     */
    public void stream(String path, Streamed answer) {
        if (answer == null) {
            streamed.remove(path);
        } else {
            streamed.put(path, answer);
        }
    }

    /** From now on, answers {@code path} with these bytes and headers (a body the controller must not transform). */
    public void answerBytes(String path, Map<String, String> headers, byte[] body) {
        rawHeaders.put(path, headers);
        raw.put(path, body);
    }

    /** Bytes written so far by streamed answers (to see that the controller stopped reading). */
    public long streamedBytes() {
        return streamedBytes.get();
    }

    private final java.util.concurrent.atomic.AtomicLong streamedBytes = new java.util.concurrent.atomic.AtomicLong();

    private void writeStreamed(HttpServerRequest request, Streamed answer) {
        var response = request.response().setChunked(true).putHeader("Content-Type", answer.contentType());
        answer.headers().forEach(response::putHeader);
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, answer.fill());
        Buffer piece = Buffer.buffer(chunk);
        long[] left = {answer.total()};
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (left[0] > 0 && !response.writeQueueFull() && !response.closed()) {
                int n = (int) Math.min(chunk.length, left[0]);
                response.write(n == chunk.length ? piece : piece.slice(0, n));
                left[0] -= n;
                streamedBytes.addAndGet(n);
            }
            if (response.closed()) {
                return; // the controller gave up reading
            }
            if (left[0] == 0) {
                response.end();
            } else {
                response.drainHandler(v -> pump[0].run());
            }
        };
        pump[0].run();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        vertx.close();
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            received.add(new Received(request.method().name(), request.path(), request.getHeader("Content-Type"),
                    request.getHeader("X-Envgrid-Lease-Token"), body.toString(StandardCharsets.UTF_8)));
            Streamed big = streamed.get(request.path());
            if (big != null) {
                writeStreamed(request, big);
                return;
            }
            byte[] bytes = raw.get(request.path());
            if (bytes != null) {
                var response = request.response();
                rawHeaders.get(request.path()).forEach(response::putHeader);
                response.end(Buffer.buffer(bytes));
                return;
            }
            Answer script = scripted.get(request.path());
            if (script != null) {
                request.response().setStatusCode(script.status()).putHeader("Content-Type", script.contentType())
                        .end(script.body());
                return;
            }
            switch (mode) {
                case HEALTHY -> answer(request, body);
                case SLOW -> vertx.setTimer(delayMs, id -> answer(request, body));
                case BROKEN -> request.connection().close();
                case FAILING -> request.response().setStatusCode(500)
                        .putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("status", "error").put("message", "boom").encode());
                case GARBLED -> request.response().putHeader("Content-Type", "text/html").end("<html>proxy</html>");
            }
        });
    }

    private static void answer(HttpServerRequest request, Buffer body) {
        var response = request.response();
        switch (request.path()) {
            case "/screenshot" -> response.putHeader("Content-Type", "image/png").end(Buffer.buffer(PNG));
            case "/accessibility" -> json(request, new JsonObject().put("AT", "<desktop-frame name=\"main\"/>"));
            case "/screen_size" -> json(request, new JsonObject().put("width", 1920).put("height", 1080));
            case "/cursor_position" -> response.putHeader("Content-Type", "application/json")
                    .end(new JsonArray().add(10).add(20).encode());
            case "/platform" -> response.end("Linux");
            case "/execute" -> json(request, new JsonObject().put("status", "success").put("output", "ok\n")
                    .put("error", "").put("returncode", 0));
            case "/run_python" -> json(request, new JsonObject().put("status", "success").put("message", "")
                    .put("need_more", false).put("output", "hi\n").put("error", "").put("return_code", 0));
            case "/run_bash_script" -> json(request, new JsonObject().put("status", "success").put("output", "x\n")
                    .put("error", "").put("returncode", 0));
            case "/list_directory" -> json(request, new JsonObject().put("directory_tree",
                    new JsonObject().put("name", "home").put("type", "directory").put("children", new JsonArray())));
            case "/file" -> response.putHeader("Content-Type", "application/octet-stream")
                    .end("content of " + body.toString(StandardCharsets.UTF_8));
            case "/setup/upload" -> response.end("File uploaded successfully");
            case "/setup/launch" -> response.end("gedit launched successfully");
            case "/setup/execute" -> json(request, new JsonObject().put("status", "success").put("output", "set up\n")
                    .put("error", "").put("returncode", 0));
            case "/setup/open_file" -> response.end("File opened and window activated successfully");
            case "/setup/activate_window" -> response.end("Window activated successfully");
            case "/setup/close_window" -> response.end("Window closed successfully");
            case "/setup/change_wallpaper" -> response.end("Wallpaper changed successfully");
            case "/start_recording" -> json(request, new JsonObject().put("status", "success"));
            case "/end_recording" -> response.putHeader("Content-Type", "video/mp4").end(Buffer.buffer(MP4));
            default -> response.setStatusCode(404).end("Not Found");
        }
    }

    private static void json(HttpServerRequest request, Object body) {
        request.response().putHeader("Content-Type", "application/json").end(body.toString());
    }
}

package io.envgrid.vmcontroller.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.vmcontroller.config.VmControllerConfig;
import io.envgrid.vmcontroller.error.ErrorCode;
import io.envgrid.vmcontroller.metrics.VmCallMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.WebClientInternal;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.multipart.MultipartForm;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Speaks the protocol of OSWorld's in-VM server (desktop_env/server/main.py, port 5000), with the
 * paths and bodies OSWorld's PythonController sends. Every call has a deadline and goes through
 * the VM's circuit breaker; only reads are retried. Every call carries the session's lease token
 * as {@code X-Envgrid-Lease-Token}.
 */
@ApplicationScoped
public class OsWorldClient {

    private static final Logger LOG = Logger.getLogger(OsWorldClient.class);
    /** Longest VM error body kept for the caller; error pages can be large. */
    private static final int ERROR_BODY_LIMIT = 2000;
    /**
     * Carries the caller's lease token to the desktop on every call, for it to check
     * (docs/isolation.md); the same name as the header callers send the controller.
     */
    public static final String LEASE_TOKEN_HEADER = "X-Envgrid-Lease-Token";

    /** The attribute of a web-client request that holds its response, for the reset in the constructor. */
    private static final String RESPONSE = "envgrid.vm-response";

    private final WebClient web;
    private final VmGuards guards;
    private final VmCallMetrics metrics;
    private final ObjectMapper json;
    private final VmControllerConfig.Vm config;
    /** What every call of this client waits at most, on top of its own timeout; {@link Deadline#NONE} for the bean. */
    private final Deadline deadline;

    @Inject
    public OsWorldClient(Vertx vertx, VmGuards guards, VmCallMetrics metrics, ObjectMapper json,
            VmControllerConfig config) {
        this.deadline = Deadline.NONE;
        this.config = config.vm();
        this.web = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) this.config.connectTimeout().toMillis())
                .setKeepAlive(true)
                // never inflate a compressed answer: a desktop's gzip bomb stays the few bytes it was sent as
                .setDecompressionSupported(false));
        // Past an answer's limit (BoundedBody) the response fails, but the connection would still carry the rest
        // of the answer (the desktop kept sending gigabytes in a test): its request is reset, which closes it. The
        // interceptor hook is the web client's internal API, and the only place that sees the response of a
        // failed request; it keeps the response when it arrives, to reset it if the body then fails.
        ((WebClientInternal) web.getDelegate()).addInterceptor(context -> {
            if (context.phase() == ClientPhase.RECEIVE_RESPONSE) {
                context.set(RESPONSE, context.clientResponse());
            } else if (context.phase() == ClientPhase.FAILURE && context.failure() instanceof BoundedBody.TooLarge
                    && context.get(RESPONSE) instanceof HttpClientResponse response) {
                response.request().reset();
            }
            context.next();
        });
        this.guards = guards;
        this.metrics = metrics;
        this.json = json;
    }

    private OsWorldClient(OsWorldClient client, Deadline deadline) {
        this.web = client.web;
        this.guards = client.guards;
        this.metrics = client.metrics;
        this.json = client.json;
        this.config = client.config;
        this.deadline = deadline;
    }

    /**
     * This client with every call bounded by {@code deadline} too: none is started once it has passed, and one
     * running waits at most the time left (its own timeout when shorter); either way the call throws
     * {@link VmCallException.DeadlinePassed}. The evaluation's getters and postconfig steps use it, so a list of
     * slow commands ends at the deadline rather than at each command's 120 s.
     */
    public OsWorldClient within(Deadline deadline) {
        return new OsWorldClient(this, deadline);
    }

    @PreDestroy
    void close() {
        web.close();
    }

    /** The screen as PNG (or JPEG); anything else is a VM fault, as OSWorld's controller treats it. */
    public byte[] screenshot(VmAddress vm) {
        HttpResponse<Buffer> response =
                read(vm, HttpMethod.GET, "/screenshot", config.screenshotTimeout(), HttpRequest::send);
        byte[] image = response.body() == null ? new byte[0] : response.body().getBytes();
        if (!isImage(image, response.getHeader("Content-Type"))) {
            throw new VmCallException.ErrorResponse(vm, "/screenshot", response.statusCode(), "answer is not an image");
        }
        return image;
    }

    /** PNG or JPEG magic bytes, or an image content type, which OSWorld also accepts as a weak sign. */
    private static boolean isImage(byte[] data, String contentType) {
        if (data.length == 0) {
            return false;
        }
        boolean png = data.length >= 8 && data[0] == (byte) 0x89 && data[1] == 'P' && data[2] == 'N' && data[3] == 'G';
        boolean jpeg = data.length >= 3 && data[0] == (byte) 0xff && data[1] == (byte) 0xd8 && data[2] == (byte) 0xff;
        return png || jpeg || (contentType != null && contentType.startsWith("image/"));
    }

    /** The accessibility tree as the VM serialises it (XML on Ubuntu); {@code null} when the VM has none. */
    public String accessibilityTree(VmAddress vm) {
        JsonNode at = parse(vm, "/accessibility",
                read(vm, HttpMethod.GET, "/accessibility", config.readTimeout(), HttpRequest::send)).get("AT");
        return at == null || at.isNull() ? null : at.asText();
    }

    public ScreenSize screenSize(VmAddress vm) {
        JsonNode size = parse(vm, "/screen_size",
                read(vm, HttpMethod.POST, "/screen_size", config.readTimeout(), HttpRequest::send));
        return new ScreenSize(size.path("width").asInt(), size.path("height").asInt());
    }

    /** OSWorld answers {@code [x, y]}; some of its forks answer {@code {"x", "y"}}; both are read. */
    public CursorPosition cursorPosition(VmAddress vm) {
        JsonNode pos = parse(vm, "/cursor_position",
                read(vm, HttpMethod.GET, "/cursor_position", config.readTimeout(), HttpRequest::send));
        return pos.isArray()
                ? new CursorPosition(pos.path(0).asInt(), pos.path(1).asInt())
                : new CursorPosition(pos.path("x").asInt(), pos.path("y").asInt());
    }

    public String platform(VmAddress vm) {
        return read(vm, HttpMethod.GET, "/platform", config.readTimeout(), HttpRequest::send).bodyAsString().trim();
    }

    /** Runs a command; {@code command} is a list of arguments or, with {@code shell}, one string. */
    public ExecResult execute(VmAddress vm, Object command, boolean shell) {
        HttpResponse<Buffer> response = act(vm, HttpMethod.POST, "/execute", config.executeTimeout(),
                jsonBody(commandBody(command, shell)));
        return convert(vm, "/execute", response, ExecResult.class);
    }

    /** Runs Python code in the VM's interpreter; the answer is passed on as the VM wrote it. */
    public JsonNode runPython(VmAddress vm, String code) {
        return parse(vm, "/run_python", act(vm, HttpMethod.POST, "/run_python", config.executeTimeout(),
                jsonBody(Map.of("code", code))));
    }

    public JsonNode runBashScript(VmAddress vm, String script, int timeoutSeconds, String workingDir) {
        Map<String, Object> body = new HashMap<>();
        body.put("script", script);
        body.put("timeout", timeoutSeconds);
        body.put("working_dir", workingDir);
        Duration deadline = Duration.ofSeconds(timeoutSeconds).plus(config.bashTimeoutMargin());
        return parse(vm, "/run_bash_script",
                act(vm, HttpMethod.POST, "/run_bash_script", deadline, jsonBody(body)));
    }

    /** Starts a program without waiting for it; the VM answers with a line of text. */
    public String launch(VmAddress vm, Object command, boolean shell) {
        return act(vm, HttpMethod.POST, "/setup/launch", config.executeTimeout(),
                jsonBody(commandBody(command, shell))).bodyAsString();
    }

    /** OSWorld's set-up execute ({@code /setup/execute}): the same request and answer as {@link #execute}. */
    public ExecResult setupExecute(VmAddress vm, Object command, boolean shell) {
        HttpResponse<Buffer> response = act(vm, HttpMethod.POST, "/setup/execute", config.executeTimeout(),
                jsonBody(commandBody(command, shell)));
        return convert(vm, "/setup/execute", response, ExecResult.class);
    }

    /** Opens a file with the desktop's opener and waits for its window ({@code /setup/open_file}); the VM's line. */
    public String openFile(VmAddress vm, String path) {
        return act(vm, HttpMethod.POST, "/setup/open_file", config.executeTimeout(),
                jsonBody(Map.of("path", path))).bodyAsString();
    }

    /** Shows the image at {@code path} as the desktop's background ({@code /setup/change_wallpaper}); the VM's line. */
    public String changeWallpaper(VmAddress vm, String path) {
        return act(vm, HttpMethod.POST, "/setup/change_wallpaper", config.executeTimeout(),
                jsonBody(Map.of("path", path))).bodyAsString();
    }

    /**
     * Raises or closes a window by title or class ({@code /setup/activate_window}, {@code /setup/close_window});
     * {@code endpoint} is one of the two, the answer the VM's line.
     */
    public String window(VmAddress vm, String endpoint, String windowName, boolean strict, boolean byClass) {
        return act(vm, HttpMethod.POST, endpoint, config.executeTimeout(),
                jsonBody(Map.of("window_name", windowName, "strict", strict, "by_class", byClass))).bodyAsString();
    }

    public JsonNode listDirectory(VmAddress vm, String path) {
        return parse(vm, "/list_directory", read(vm, HttpMethod.POST, "/list_directory", config.readTimeout(),
                jsonBody(Map.of("path", path))));
    }

    public byte[] file(VmAddress vm, String path) {
        return read(vm, HttpMethod.POST, "/file", config.transferTimeout(),
                r -> r.sendForm(MultiMap.caseInsensitiveMultiMap().add("file_path", path))).body().getBytes();
    }

    /** Writes a file in the VM, as OSWorld's setup does: form field file_path, file part file_data. */
    public void upload(VmAddress vm, String path, byte[] content) {
        String name = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
        MultipartForm form = MultipartForm.create()
                .attribute("file_path", path)
                .binaryFileUpload("file_data", name.isEmpty() ? "file" : name, Buffer.buffer(content),
                        "application/octet-stream");
        act(vm, HttpMethod.POST, "/setup/upload", config.transferTimeout(), r -> r.sendMultipartForm(form));
    }

    public void startRecording(VmAddress vm) {
        act(vm, HttpMethod.POST, "/start_recording", config.executeTimeout(), HttpRequest::send);
    }

    /** Stops the recording and returns the video (MP4) the VM made. */
    public byte[] endRecording(VmAddress vm) {
        return act(vm, HttpMethod.POST, "/end_recording", config.transferTimeout(), HttpRequest::send)
                .body().getBytes();
    }

    /** Bodies are written with the application's mapper, which knows the JSON trees callers pass on. */
    private Function<HttpRequest<Buffer>, Uni<HttpResponse<Buffer>>> jsonBody(Object body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body cannot be written as JSON", e);
        }
        return r -> r.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(bytes));
    }

    private static Map<String, Object> commandBody(Object command, boolean shell) {
        return Map.of("command", command, "shell", shell);
    }

    private HttpResponse<Buffer> read(VmAddress vm, HttpMethod method, String path, Duration timeout,
            Function<HttpRequest<Buffer>, Uni<HttpResponse<Buffer>>> send) {
        return measured(path, () -> guards.read(vm, path, () -> once(vm, method, path, timeout, send)));
    }

    private HttpResponse<Buffer> act(VmAddress vm, HttpMethod method, String path, Duration timeout,
            Function<HttpRequest<Buffer>, Uni<HttpResponse<Buffer>>> send) {
        return measured(path, () -> guards.act(vm, path, () -> once(vm, method, path, timeout, send)));
    }

    private HttpResponse<Buffer> measured(String path, java.util.function.Supplier<HttpResponse<Buffer>> call) {
        long start = System.nanoTime();
        String outcome = "ok";
        try {
            return call.get();
        } catch (VmCallException e) {
            outcome = outcome(e);
            if (e instanceof VmCallException.Refused || e instanceof VmCallException.DeadlinePassed) {
                LOG.debugf("%s", e.getMessage()); // the caller's mistake or its evaluation's time, answered to it
            } else {
                LOG.warnf("%s", e.getMessage());
            }
            throw e;
        } finally {
            metrics.record(path, outcome, System.nanoTime() - start);
        }
    }

    private HttpResponse<Buffer> once(VmAddress vm, HttpMethod method, String path, Duration timeout,
            Function<HttpRequest<Buffer>, Uni<HttpResponse<Buffer>>> send) {
        Duration allowed = deadline.cap(timeout);
        if (allowed.toMillis() <= 0) {
            throw new VmCallException.DeadlinePassed(vm, path, deadline); // not started: the evaluation's time is up
        }
        boolean capped = allowed.compareTo(timeout) < 0;
        HttpRequest<Buffer> request = web.request(method, vm.port(), vm.ip(), path).as(BoundedBody.of(answerLimit(path)))
                .timeout(allowed.toMillis());
        if (vm.leaseToken() != null) {
            request.putHeader(LEASE_TOKEN_HEADER, vm.leaseToken());
        }
        HttpResponse<Buffer> response;
        try {
            // The request's own timeout fires first; the await bound is a backstop so no caller hangs.
            response = send.apply(request).await().atMost(allowed.plusSeconds(1));
        } catch (io.smallrye.mutiny.TimeoutException e) {
            throw timedOut(vm, path, allowed, capped);
        } catch (CompletionException e) {
            throw failure(vm, path, allowed, capped, e.getCause() == null ? e : e.getCause());
        } catch (RuntimeException e) {
            throw failure(vm, path, allowed, capped, e);
        }
        if (response.statusCode() >= 300) {
            String body = response.bodyAsString();
            throw DesktopRefusals.of(vm, path, response.statusCode(),
                    body == null ? "" : body.substring(0, Math.min(body.length(), ERROR_BODY_LIMIT)));
        }
        return response;
    }

    /**
     * The most bytes kept of the desktop's answer to {@code path}: files, screenshots (a 4K PNG can pass 16 MiB) and
     * recordings are binary content, everything else a JSON or text answer (the accessibility tree, a command's
     * output).
     */
    private long answerLimit(String path) {
        return switch (path) {
            case "/file", "/screenshot" -> config.maxFileSize().asLongValue();
            case "/end_recording" -> config.maxRecordingSize().asLongValue();
            default -> config.maxAnswerSize().asLongValue();
        };
    }

    /** A call out of time: the deadline's when it was what cut the call short, the VM's otherwise. */
    private VmCallException timedOut(VmAddress vm, String path, Duration timeout, boolean capped) {
        return capped ? new VmCallException.DeadlinePassed(vm, path, deadline)
                : new VmCallException.TimedOut(vm, path, timeout);
    }

    private VmCallException failure(VmAddress vm, String path, Duration timeout, boolean capped, Throwable cause) {
        if (cause instanceof BoundedBody.TooLarge tooLarge) {
            // what the caller asked for (a file, a command's output) is too large to pass on: its 4xx, not a fault
            return new VmCallException.Refused(vm, path, new VmAnswer(200, ""), 413, ErrorCode.ANSWER_TOO_LARGE, null,
                    tooLarge.getMessage() + " (the most the controller reads from a desktop for " + path + ")");
        }
        return cause instanceof TimeoutException
                ? timedOut(vm, path, timeout, capped)
                : new VmCallException.Unreachable(vm, path, cause);
    }

    private JsonNode parse(VmAddress vm, String path, HttpResponse<Buffer> response) {
        try {
            return json.readTree(response.bodyAsString());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new VmCallException.ErrorResponse(vm, path, response.statusCode(), "answer is not JSON");
        }
    }

    private <T> T convert(VmAddress vm, String path, HttpResponse<Buffer> response, Class<T> type) {
        try {
            return json.treeToValue(parse(vm, path, response), type);
        } catch (JsonProcessingException e) {
            throw new VmCallException.ErrorResponse(vm, path, response.statusCode(), "unexpected answer shape");
        }
    }

    private static String outcome(VmCallException e) {
        if (e instanceof VmCallException.Unreachable) {
            return "unreachable";
        }
        if (e instanceof VmCallException.TimedOut || e instanceof VmCallException.DeadlinePassed) {
            return "timeout";
        }
        if (e instanceof VmCallException.Refused) {
            return "refused";
        }
        return e instanceof VmCallException.CircuitOpen ? "circuit_open" : "error_response";
    }
}

package io.envgrid.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The official npm {@code socket.io-client} ({@code tools/mcp-client/sio.mjs}, installed by {@code ./envgrid test}),
 * run with Node and driven by commands that may overlap (answers are matched by id): named clients connect, emit with or without acks, serve
 * server-initiated events (a fake Computer), and report the events they received. A client nobody here wrote, so the
 * gateway's Socket.IO server is tested against the protocol as the reference implementation speaks it.
 */
public final class SocketIoDriver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCRIPT = Path.of("..", "tools", "mcp-client", "sio.mjs").toAbsolutePath().normalize();
    private static final long ANSWER_TIMEOUT_S = 60;

    private final Process process;
    private final Writer in;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();

    private SocketIoDriver(Process process) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    JsonNode answer = JSON.readTree(line);
                    CompletableFuture<JsonNode> waiting = pending.remove(answer.path("id").asInt(-1));
                    if (waiting != null) {
                        waiting.complete(answer);
                    }
                }
            } catch (IOException e) {
                // answered below: every command still waiting learns the driver is gone
            }
            pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("socket.io driver output closed")));
        }, "socket.io-driver");
        reader.setDaemon(true);
        reader.start();
    }

    public static SocketIoDriver start() {
        if (!Files.isDirectory(SCRIPT.getParent().resolve("node_modules").resolve("socket.io-client"))) {
            throw new IllegalStateException("socket.io-client is not installed: run './envgrid test' (it runs npm ci in "
                    + SCRIPT.getParent() + ")");
        }
        try {
            return new SocketIoDriver(new ProcessBuilder("node", SCRIPT.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A command object for {@code op}. */
    public static ObjectNode command(String op) {
        return JSON.createObjectNode().put("op", op);
    }

    /** Runs one command; answers the whole answer line ({@code ok}, {@code result} or {@code error}). */
    public JsonNode run(ObjectNode command) {
        CompletableFuture<JsonNode> answer = start(command);
        try {
            return answer.get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("socket.io driver did not answer " + command);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends one command without waiting: its answer line completes the future (commands run side by side). */
    private CompletableFuture<JsonNode> start(ObjectNode command) {
        int id = nextId.getAndIncrement();
        command.put("id", id);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            synchronized (in) {
                in.write(command + "\n");
                in.flush();
            }
        } catch (IOException e) {
            pending.remove(id);
            throw new UncheckedIOException(e);
        }
        return answer;
    }

    /** Runs a command that must succeed; answers its result. */
    public JsonNode ok(ObjectNode command) {
        JsonNode answer = run(command);
        if (!answer.path("ok").asBoolean()) {
            throw new AssertionError(command.path("op").asText() + " failed: " + answer.path("error").asText() + " (" + command + ")");
        }
        return answer.path("result");
    }

    /** Connects {@code client} to {@code /smcp} with protocol version {@code version} and connect auth {@code {"token"}}. */
    public JsonNode connect(String client, String url, String version, String token) {
        ObjectNode command = command("connect").put("client", client).put("url", url).put("version", version);
        if (token != null) {
            command.putObject("auth").put("token", token);
        }
        return run(command);
    }

    /** Emits with an ack; answers {@code {acked, args}} ({@code acked} false when none came within {@code timeoutMs}). */
    public JsonNode emit(String client, String event, long timeoutMs, JsonNode... args) {
        return ok(emitCommand(client, event, timeoutMs, args));
    }

    private static ObjectNode emitCommand(String client, String event, long timeoutMs, JsonNode... args) {
        ObjectNode command = command("emit").put("client", client).put("event", event).put("timeoutMs", timeoutMs);
        ArrayNode list = command.putArray("args");
        for (JsonNode arg : args) {
            list.add(arg);
        }
        return command;
    }

    /**
     * As {@link #emit} without waiting: the future completes with {@code {acked, args}} while the test goes on to
     * other commands (a cancel sent while a call is running).
     */
    public CompletableFuture<JsonNode> emitAsync(String client, String event, long timeoutMs, JsonNode... args) {
        ObjectNode command = emitCommand(client, event, timeoutMs, args);
        return start(command).thenApply(answer -> {
            if (!answer.path("ok").asBoolean()) {
                throw new AssertionError("emit failed: " + answer.path("error").asText() + " (" + command + ")");
            }
            return answer.path("result");
        });
    }

    /** Emits without asking for an ack. */
    public void send(String client, String event, JsonNode... args) {
        ObjectNode command = command("send").put("client", client).put("event", event);
        ArrayNode list = command.putArray("args");
        for (JsonNode arg : args) {
            list.add(arg);
        }
        ok(command);
    }

    /** The arguments of the first unread {@code event} the client received, waiting up to {@code timeoutMs}. */
    public JsonNode waitEvent(String client, String event, long timeoutMs) {
        return ok(command("waitEvent").put("client", client).put("event", event).put("timeoutMs", timeoutMs)).path("args");
    }

    /** Every unread event of the client ({@code [{event, args}]}), now consumed. */
    public ArrayNode events(String client) {
        return (ArrayNode) ok(command("events").put("client", client)).path("events");
    }

    /** Makes the client answer server-initiated {@code event} with {@code reply} (null: never) after {@code delayMs}. */
    public void serve(String client, String event, ArrayNode reply, long delayMs) {
        ObjectNode command = command("serve").put("client", client).put("event", event).put("delayMs", delayMs);
        command.set("reply", reply);
        ok(command);
    }

    public void disconnect(String client) {
        ok(command("disconnect").put("client", client));
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    public static ArrayNode array() {
        return JSON.createArrayNode();
    }

    @Override
    public void close() {
        try {
            in.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

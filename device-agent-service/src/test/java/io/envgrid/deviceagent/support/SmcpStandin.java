package io.envgrid.deviceagent.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A stand-in for the gateway's A2C-SMCP signalling server ({@code src/test/resources/smcp-standin/signalling.mjs},
 * the npm {@code socket.io} server under the Node 22 of {@code tools/mcp-client}), which also plays the agent of
 * the office. The agent under test is configured to dial it as Computer {@link #COMPUTER} in office
 * {@link #OFFICE}, hosting server-everything over stdio as bundle {@code everything}.
 */
public class SmcpStandin implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "smcp-test-token";
    public static final String OFFICE = "office-1";
    public static final String COMPUTER = "test-computer";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<JsonNode> LINES = new CopyOnWriteArrayList<>();
    private static final AtomicInteger IDS = new AtomicInteger();
    private static volatile Process node;
    private static volatile Writer commands;

    @Override
    public Map<String, String> start() {
        try {
            Path nodePackage = Path.of("..", "tools", "mcp-client", "package.json").toAbsolutePath().normalize();
            ProcessBuilder pb = new ProcessBuilder(EverythingServer.NODE,
                    Path.of("src/test/resources/smcp-standin/signalling.mjs").toAbsolutePath().toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("ENVGRID_NODE_PACKAGE", nodePackage.toString());
            pb.environment().put("SMCP_TOKEN", TOKEN);
            node = pb.start();
            commands = new java.io.OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
            BufferedReader lines = new BufferedReader(new InputStreamReader(node.getInputStream(),
                    StandardCharsets.UTF_8));
            Thread reader = new Thread(() -> {
                try {
                    for (String line; (line = lines.readLine()) != null; ) {
                        LINES.add(JSON.readTree(line));
                    }
                } catch (IOException e) {
                    // the stand-in ended
                }
            }, "smcp-standin");
            reader.setDaemon(true);
            reader.start();
            JsonNode listening = awaitLine(l -> "listening".equals(l.path("event").asText()), "the stand-in listens");
            Path setup = Files.createTempFile("computer-setup", ".json");
            Files.writeString(setup, JSON.writeValueAsString(Map.of(
                    "inputs", List.of(Map.of("type", "promptString", "id", "greeting", "default", "hello")),
                    "servers", List.of(Map.of("type", "stdio", "name", "everything", "server_parameters",
                            Map.of("command", EverythingServer.NODE, "args", List.of(EverythingServer.ENTRY, "stdio"),
                                    "env", Map.of("GREETING", "${input:greeting}")))))));
            return Map.of(
                    "envgrid.device-agent.computer.config-file", setup.toString(),
                    "envgrid.device-agent.computer.signalling.url",
                    "http://127.0.0.1:" + listening.get("port").asInt(),
                    "envgrid.device-agent.computer.signalling.token", TOKEN,
                    "envgrid.device-agent.computer.signalling.office-id", OFFICE,
                    "envgrid.device-agent.computer.signalling.name", COMPUTER,
                    "envgrid.device-agent.computer.signalling.reconnect-delay", "200ms",
                    "envgrid.device-agent.computer.signalling.reconnect-delay-max", "1s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (node != null) {
            node.destroyForcibly();
        }
    }

    /** Relays a {@code client:*} request to the Computer as the signalling server would; its ack's arguments. */
    public static JsonNode request(String event, Map<String, ?> payload, Duration timeout) {
        String id = String.valueOf(IDS.incrementAndGet());
        send(Map.of("id", id, "op", "emit", "event", event, "payload", payload, "timeout", timeout.toMillis()));
        JsonNode reply = awaitLine(l -> id.equals(l.path("reply").asText()), "the answer to " + event);
        if (reply.has("error")) {
            throw new AssertionError(event + ": " + reply.get("error").asText());
        }
        return reply.get("args");
    }

    /** Sends a {@code notify:*} event to the Computer. */
    public static void notifyComputer(String event, Map<String, ?> payload) {
        send(Map.of("op", "notify", "event", event, "payload", payload));
    }

    /** Closes the Computer's session from the server side. */
    public static void kick() {
        send(Map.of("op", "kick"));
    }

    /** How many lines seen so far match. */
    public static long count(Predicate<JsonNode> match) {
        return LINES.stream().filter(match).count();
    }

    /** Lines of this event. */
    public static Predicate<JsonNode> event(String name) {
        return l -> name.equals(l.path("event").asText());
    }

    public static JsonNode awaitLine(Predicate<JsonNode> match, String what) {
        Conditions.await(() -> LINES.stream().anyMatch(match), what, Duration.ofSeconds(90));
        Optional<JsonNode> found = LINES.stream().filter(match).findFirst();
        return found.orElseThrow();
    }

    private static synchronized void send(Map<String, ?> command) {
        try {
            commands.write(JSON.writeValueAsString(command) + "\n");
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

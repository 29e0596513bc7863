package io.envgrid.deviceagent.computer.hosting;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.computer.config.ComputerConfig;
import io.envgrid.deviceagent.computer.config.McpServerConfig;
import io.envgrid.deviceagent.computer.config.StdioParameters;
import io.envgrid.deviceagent.support.Conditions;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.util.TypeLiteral;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stdio servers being put while the agent shuts down: when shutdown returns, no process any of them started is left
 * — neither the server nor a child it put in the background — and none is started after. The servers never answer
 * MCP {@code initialize}, so every start is still in flight when shutdown comes (two at a time: the host's scheduler
 * has two threads), and they ignore SIGTERM (so do their children, which inherit it), so only the SIGKILL of the
 * whole group ends them.
 */
class ShutdownRaceTest {

    /** The settings a hosted server reads; the starts wait far longer than the test. */
    private record Settings(Optional<Path> configFile, Duration defaultCallTimeout, Duration restartBackoff,
            Duration restartBackoffMax, Duration startTimeout, ComputerConfig.Signalling signalling)
            implements ComputerConfig {
    }

    /** Changes go nowhere: there is no office here. */
    private static final class NoEvents implements Event<ComputerChange> {
        @Override
        public void fire(ComputerChange event) {
        }

        @Override
        public <U extends ComputerChange> CompletionStage<U> fireAsync(U event) {
            return CompletableFuture.completedFuture(event);
        }

        @Override
        public <U extends ComputerChange> CompletionStage<U> fireAsync(U event, NotificationOptions options) {
            return CompletableFuture.completedFuture(event);
        }

        @Override
        public Event<ComputerChange> select(Annotation... qualifiers) {
            return this;
        }

        @Override
        public <U extends ComputerChange> Event<U> select(Class<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException("not used by McpServerHost");
        }

        @Override
        public <U extends ComputerChange> Event<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException("not used by McpServerHost");
        }
    }

    private static final int SERVERS = 12;

    @ParameterizedTest(name = "shutdown after {0} server process(es) started")
    @ValueSource(ints = {0, 1, 2})
    void noServerProcessOutlivesShutdown(int startedBeforeShutdown) throws Exception {
        String marker = "envgrid-race-" + UUID.randomUUID();
        McpServerHost host = new McpServerHost(new Settings(Optional.empty(), Duration.ofSeconds(60),
                Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMinutes(5), null), new ObjectMapper(),
                new NoEvents());
        McpServerConfig server = new McpServerConfig("race", null, false, null, null, null, null,
                new StdioParameters("/bin/sh", List.of("-c", "trap '' TERM; sleep 300 & sleep 300"),
                        Map.of("RACE_MARKER", marker), null, null, null));
        Thread putting = new Thread(() -> {
            for (int i = 0; i < SERVERS; i++) {
                host.put("race" + i, server);
            }
        });
        putting.start();
        Conditions.await(() -> leaders(marker) >= startedBeforeShutdown,
                startedBeforeShutdown + " server(s) running", Duration.ofSeconds(60));
        host.onStop(null);
        putting.join();
        assertEquals(List.of(), carrying(marker), "processes left after shutdown");
        // puts after shutdown start nothing either
        host.put("late", server);
        assertEquals(List.of(), carrying(marker), "a server put after shutdown started a process");
    }

    /** The running servers' shells (each has a sleep in the background and one in the foreground). */
    private static long leaders(String marker) {
        return carrying(marker).stream().filter(c -> c.startsWith("/bin/sh")).count();
    }

    /** The command lines of live (not zombie) processes whose environment holds the marker. */
    private static List<String> carrying(String marker) {
        byte[] needle = ("RACE_MARKER=" + marker).getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
                        continue;
                    }
                    if (new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.ISO_8859_1)
                            .contains(new String(needle, StandardCharsets.ISO_8859_1))) {
                        out.add(new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                                .replace('\0', ' '));
                    }
                } catch (IOException e) {
                    // the process ended while being read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}

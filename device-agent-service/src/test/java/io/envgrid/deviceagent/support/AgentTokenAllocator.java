package io.envgrid.deviceagent.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real allocator with per-agent tokens ({@code envgrid.allocator.agent-token-key}), and the agent set up as the
 * Kubernetes DaemonSet sets it up: its token for {@link #AGENT_ID} minted by the allocator's own
 * {@code MintAgentToken} (run from the packaged allocator's classes, as the init container runs it from the image)
 * into a file, which the agent reads through {@code envgrid.allocator.service-token-file}. No service token reaches
 * the agent.
 */
public class AgentTokenAllocator implements QuarkusTestResourceLifecycleManager {

    public static final String SERVICE_TOKEN = "allocator-service-token";
    public static final String AGENT_ID = "node-a";
    private static final String KEY = "agent-token-key-for-tests";

    private static volatile URI url;

    private AllocatorOnRedis allocator;

    /** The running allocator's base address. */
    public static URI url() {
        return url;
    }

    @Override
    public Map<String, String> start() {
        allocator = AllocatorOnRedis.start("allocator-with-agent-tokens", Map.of(
                "envgrid.allocator.service-token", SERVICE_TOKEN, "envgrid.allocator.agent-token-key", KEY));
        try {
            url = allocator.url();
            return Map.of(
                    "envgrid.allocator.url", url.toString(),
                    "envgrid.allocator.service-token-file", mintToken().toString(),
                    "envgrid.device-agent.agent-id", AGENT_ID,
                    "envgrid.device-agent.registration.heartbeat-interval", "1s",
                    "envgrid.device-agent.registration.heartbeat-ttl-seconds", "2");
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** {@code java -cp <allocator>/app/* io.envgrid.allocator.auth.MintAgentToken <key file> <agent id> <token file>}. */
    private static Path mintToken() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "agent-token")).toAbsolutePath();
            Path key = Files.writeString(dir.resolve("key"), KEY);
            Path token = dir.resolve("agent-token");
            Path classes = Path.of("..", "resource-allocator-service", "target", "quarkus-app", "app").toAbsolutePath().normalize();
            Process mint = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classes + "/*", "io.envgrid.allocator.auth.MintAgentToken", key.toString(), AGENT_ID, token.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("mint.log").toFile()).start();
            if (!mint.waitFor(60, TimeUnit.SECONDS) || mint.exitValue() != 0) {
                throw new IllegalStateException("MintAgentToken failed: " + Files.readString(dir.resolve("mint.log")));
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (allocator != null) {
            allocator.close();
        }
    }
}

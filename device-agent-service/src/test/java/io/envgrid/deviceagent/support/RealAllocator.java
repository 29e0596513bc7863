package io.envgrid.deviceagent.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;

/**
 * The real resource allocator for the agent to register with: its packaged application
 * ({@code resource-allocator-service/target/quarkus-app/quarkus-run.jar}, built before this module in the reactor)
 * as a child JVM on a free port, on a real {@code redis-server} (the one inside org.signal:embedded-redis), with a
 * service token. The agent under test gets the allocator's URL and token, a 1 s heartbeat and a 2 s TTL.
 */
public class RealAllocator implements QuarkusTestResourceLifecycleManager {

    public static final String SERVICE_TOKEN = "allocator-test-token";
    /** With '/', '@' and '.': every resource id of the agent under test holds characters the id rule allows. */
    public static final String AGENT_ID = "test/agent@rack.1";
    public static final int HEARTBEAT_TTL_SECONDS = 2;

    private static volatile URI url;

    private static volatile int redisPort;

    private AllocatorOnRedis allocator;

    /** {@code /resources/{id}} with the id percent-encoded as one path segment (RFC 3986; '/' as %2F). */
    public static String resourcePath(String id) {
        StringBuilder out = new StringBuilder("/resources/");
        for (byte b : id.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || "-._~:@".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** The port of the allocator's Redis, for tests that play an allocator which lost its state. */
    public static int redisPort() {
        return redisPort;
    }

    /** The running allocator's base address, for tests to look at what the agent registered. */
    public static URI url() {
        return url;
    }

    @Override
    public Map<String, String> start() {
        allocator = AllocatorOnRedis.start("allocator-for-tests", Map.of("envgrid.allocator.service-token", SERVICE_TOKEN));
        redisPort = allocator.redisPort();
        url = allocator.url();
        return Map.ofEntries(
                Map.entry("envgrid.allocator.url", url.toString()),
                Map.entry("envgrid.allocator.service-token", SERVICE_TOKEN),
                Map.entry("envgrid.device-agent.agent-id", AGENT_ID),
                Map.entry("envgrid.device-agent.registration.heartbeat-interval", "1s"),
                Map.entry("envgrid.device-agent.registration.heartbeat-ttl-seconds", String.valueOf(HEARTBEAT_TTL_SECONDS)),
                Map.entry("envgrid.device-agent.desktop.register", "true"),
                // hosted desktops (only with @WithFleetDesktops) hear the lease channel's reset messages here
                Map.entry("envgrid.device-agent.desktops.lease-channel-redis", "redis://127.0.0.1:" + redisPort),
                // a desktop is offered only while a display is configured: a real one, which the lease tests drive
                Map.entry("envgrid.device-agent.desktop.enabled", "true"),
                Map.entry("envgrid.device-agent.desktop.display", Xvfb.display()));
    }

    @Override
    public void stop() {
        if (allocator != null) {
            allocator.close();
        }
    }

    /**
     * One command on the allocator's Redis (RESP over a socket), for tests that play an allocator which lost part
     * of its state; the reply's first line.
     */
    public static String redis(String... command) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", redisPort)) {
            StringBuilder resp = new StringBuilder("*" + command.length + "\r\n");
            for (String part : command) {
                resp.append('$').append(part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).append("\r\n")
                        .append(part).append("\r\n");
            }
            socket.getOutputStream().write(resp.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

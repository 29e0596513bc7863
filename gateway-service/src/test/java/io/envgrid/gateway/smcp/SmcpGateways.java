package io.envgrid.gateway.smcp;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.gateway.support.PackagedApps;
import io.envgrid.gateway.support.TestCluster;
import java.util.HashMap;
import java.util.Map;

/**
 * Two packaged gateway replicas on the test cluster's Redis (and its allocator, which their readiness checks), started
 * once for the SMCP tests: token auth on (the connect {@code auth} token {@link #TOKEN}, principal
 * {@code smcp-tester}, which may use the offices {@code office-…} the tests make up; {@link #OTHER_TOKEN}, another
 * tenant's, offices {@code other-…}; {@link #NARROW_TOKEN}, {@code smcp-tester} again with offices {@code narrow-…}), a 1 s ping interval and 2 s ping timeout so dead members leave quickly. A third
 * replica with {@link Tight tight bounds} is started on first use by the tests of the bounds, and a fourth that also
 * takes signed tokens ({@link #SIGNING_SECRET}) and caps connections per principal at
 * {@link #CONNECTIONS_PER_PRINCIPAL} by the tests of tokens ({@link #tokens()}), and a fifth beside it with the same
 * secret whose expiry timers fire {@link #EXPIRY_TIMER_DELAY_MS} late ({@link #tokensPeer()}: revocations across
 * replicas, the per-event checks on their own).
 */
final class SmcpGateways {

    static final String TOKEN = "smcp-test-token";
    static final String OTHER_TOKEN = "smcp-other-token";
    /** {@link #TOKEN}'s principal with a token that covers only offices {@code narrow-…} (coverage narrowed). */
    static final String NARROW_TOKEN = "smcp-narrow-token";
    static final String TOKENS = TOKEN + "=smcp-tester:office-*," + OTHER_TOKEN + "=smcp-other:other-*," + NARROW_TOKEN
            + "=smcp-tester:narrow-*";
    /** The signing secret of {@link #tokens()}: tests mint expiring {@code egw2} tokens with it. */
    static final String SIGNING_SECRET = "smcp-test-signing-secret";
    static final int CONNECTIONS_PER_PRINCIPAL = 3;
    /** How late {@link #tokensPeer()}'s expiry timers fire: until then only its per-event check ends an expired token. */
    static final long EXPIRY_TIMER_DELAY_MS = 120_000;
    static final long PING_INTERVAL_MS = 1000;
    static final long PING_TIMEOUT_MS = 2000;

    private static SmcpGateways instance;
    private static RuntimeException failure;

    final TestCluster cluster;
    final PackagedApp first;
    final PackagedApp second;
    private PackagedApp tight;
    private PackagedApp tokens;
    private PackagedApp tokensPeer;

    private SmcpGateways() {
        cluster = TestCluster.get();
        first = start("smcp-gateway-1");
        second = start("smcp-gateway-2");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            first.close();
            second.close();
        }));
    }

    static synchronized SmcpGateways get() {
        if (failure != null) {
            throw failure; // started once and failed: the later tests need not wait for it again
        }
        if (instance == null) {
            try {
                instance = new SmcpGateways();
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return instance;
    }

    /** Another replica on the same Redis (a test that kills one starts its own). */
    PackagedApp start(String name) {
        return start(name, Map.of());
    }

    private PackagedApp start(String name, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "quarkus.redis.hosts", cluster.redisUrl(),
                "envgrid.allocator.url", cluster.allocatorUrl(),
                "envgrid.vm-controller.url", cluster.vmControllerUrl(),
                "envgrid.gateway.auth.tokens", TOKENS,
                "envgrid.gateway.smcp.ping-interval", PING_INTERVAL_MS + "ms",
                "envgrid.gateway.smcp.ping-timeout", PING_TIMEOUT_MS + "ms"));
        settings.putAll(extra);
        return PackagedApps.start(name, "gateway-service", settings);
    }

    /** The replica with tight bounds (same Redis, so its offices are the others' too), started on first use. */
    synchronized PackagedApp tight() {
        if (tight == null) {
            tight = start("smcp-gateway-tight", Tight.SETTINGS);
            PackagedApp started = tight;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return tight;
    }

    /**
     * The replica that also takes tokens signed with {@link #SIGNING_SECRET} and holds at most
     * {@link #CONNECTIONS_PER_PRINCIPAL} connections per principal (same Redis), started on first use.
     */
    synchronized PackagedApp tokens() {
        if (tokens == null) {
            tokens = start("smcp-gateway-tokens", Map.of("envgrid.gateway.auth.signing-secret", SIGNING_SECRET,
                    "envgrid.gateway.smcp.max-connections-per-principal", String.valueOf(CONNECTIONS_PER_PRINCIPAL)));
            PackagedApp started = tokens;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return tokens;
    }

    /**
     * A second replica taking signed tokens ({@link #SIGNING_SECRET}, same Redis), whose expiry timers fire
     * {@link #EXPIRY_TIMER_DELAY_MS} after the expiry, started on first use.
     */
    synchronized PackagedApp tokensPeer() {
        if (tokensPeer == null) {
            tokensPeer = start("smcp-gateway-tokens-peer", Map.of("envgrid.gateway.auth.signing-secret", SIGNING_SECRET,
                    "envgrid.gateway.smcp.expiry-timer-delay", EXPIRY_TIMER_DELAY_MS + "ms"));
            PackagedApp started = tokensPeer;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return tokensPeer;
    }

    /** The bounds of {@link #tight()}: small enough that a test reaches each in a few requests. */
    static final class Tight {
        static final int MAX_PAYLOAD = 20_000;
        static final int MAX_SEND_BUFFER = 40_000;
        static final int MAX_PENDING_SESSIONS = 6;
        static final int MAX_PENDING_PER_ADDRESS = 4;
        static final long CONNECT_TIMEOUT_MS = 3000;
        static final int MAX_QUEUED_EVENTS = 8;
        static final int MAX_NAME_LENGTH = 32;
        static final int CALLS_PER_SOCKET = 3;
        static final int CALLS_PER_OFFICE = 4;
        /** Long enough for a test to reach every cap while its calls wait; below the gateway's 130 s action timeout. */
        static final long MAX_CALL_TIMEOUT_MS = 10_000;

        /** Long heartbeats, so that a raw client that never polls is closed by a bound, not by the ping timeout. */
        static final Map<String, String> SETTINGS = Map.ofEntries(
                Map.entry("envgrid.gateway.smcp.ping-interval", "20s"),
                Map.entry("envgrid.gateway.smcp.ping-timeout", "20s"),
                Map.entry("envgrid.gateway.smcp.max-payload", String.valueOf(MAX_PAYLOAD)),
                Map.entry("envgrid.gateway.smcp.max-send-buffer", String.valueOf(MAX_SEND_BUFFER)),
                Map.entry("envgrid.gateway.smcp.max-pending-sessions", String.valueOf(MAX_PENDING_SESSIONS)),
                Map.entry("envgrid.gateway.smcp.max-pending-sessions-per-address", String.valueOf(MAX_PENDING_PER_ADDRESS)),
                Map.entry("envgrid.gateway.smcp.connect-timeout", CONNECT_TIMEOUT_MS + "ms"),
                Map.entry("envgrid.gateway.smcp.max-queued-events", String.valueOf(MAX_QUEUED_EVENTS)),
                Map.entry("envgrid.gateway.smcp.max-name-length", String.valueOf(MAX_NAME_LENGTH)),
                Map.entry("envgrid.gateway.smcp.max-pending-calls-per-socket", String.valueOf(CALLS_PER_SOCKET)),
                Map.entry("envgrid.gateway.smcp.max-pending-calls-per-office", String.valueOf(CALLS_PER_OFFICE)),
                Map.entry("envgrid.gateway.smcp.max-call-timeout", MAX_CALL_TIMEOUT_MS + "ms"));

        private Tight() {
        }
    }
}

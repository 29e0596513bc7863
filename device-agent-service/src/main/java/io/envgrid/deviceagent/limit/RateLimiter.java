package io.envgrid.deviceagent.limit;

import io.envgrid.deviceagent.access.Credentials;
import io.envgrid.deviceagent.access.LeaseAccess;
import io.envgrid.deviceagent.access.ServiceTokenCheck;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.fleet.DesktopPorts;
import io.envgrid.errors.ErrorMappers;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The device tools' 100 requests per minute per client, in fixed one-minute windows. Callers
 * presenting the service token are exempt; so are Quarkus' {@code /q/} endpoints, which probes and scrapers poll.
 * A client is a remote address, and within it each lease token: the gateway calls an agent for all its workers from
 * one address with each worker's own lease token (never the service token, which it keeps for configured backends),
 * so keying by address alone would make every worker behind one gateway replica share one quota. Only a well-formed
 * lease token ({@link LeaseAccess#isLeaseToken}) opens a bucket of its own; one that is not live is refused by the
 * lease check anyway, at the price of one allocator look-up (device-agent README, "Rate limit").
 * A call through a hosted desktop's port arrives from the in-process proxy on loopback, so there the client is the
 * remote address and the desktop the proxy named ({@link DesktopPorts#proxiedDesktop}): one desktop's callers do not
 * use up another's quota. A desktop header a caller sends itself is not part of the key, or every invented value
 * would be a fresh bucket.
 */
@ApplicationScoped
public class RateLimiter {

    private static final long WINDOW_MS = 60_000;
    private static final java.util.Set<String> DESKTOP_ROUTES = java.util.Set.of("/screenshot", "/accessibility",
            "/execute", "/run_python", "/run_bash_script", "/screen_size", "/cursor_position", "/platform",
            "/list_directory", "/file", "/start_recording", "/end_recording");

    private record Window(long startMs, int count) {
    }

    private final DeviceAgentConfig config;
    private final ServiceTokenCheck serviceToken;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public RateLimiter(DeviceAgentConfig config, ServiceTokenCheck serviceToken) {
        this.config = config;
        this.serviceToken = serviceToken;
    }

    /** @return the 429 answer, or null to let the request through */
    Response check(ContainerRequestContext context, HttpServerRequest request) {
        // the routed path (percent-decoded, dot segments resolved), not the raw one: "/q/../health" is routed to
        // "/health" and must count as that
        String path = context.getUriInfo().getPath();
        if (path.startsWith("/q/") || isDesktopRoute(path) || presentsServiceToken(context)) {
            return null;
        }
        long now = System.currentTimeMillis();
        String client = client(request, context.getHeaderString(Credentials.LEASE_TOKEN_HEADER));
        Window window = windows.compute(client, (key, current) -> current == null || now - current.startMs() >= WINDOW_MS
                ? new Window(now, 1)
                : new Window(current.startMs(), current.count() + 1));
        if (window.count() <= config.rateLimitPerMinute()) {
            return null;
        }
        long retryAfterSeconds = Math.max(1, (window.startMs() + WINDOW_MS - now + 999) / 1000);
        Response refused = ErrorMappers.envelope(429, ErrorCode.RATE_LIMIT_EXCEEDED,
                "more than " + config.rateLimitPerMinute() + " requests per minute",
                Map.of("limit_per_minute", config.rateLimitPerMinute(), "retry_after_seconds", retryAfterSeconds));
        return Response.fromResponse(refused).header(HttpHeaders.RETRY_AFTER, retryAfterSeconds).build();
    }

    /**
     * The bucket {@code request} counts against: its remote address, the desktop if it came through its port, and the
     * lease token it presents if that is well-formed ({@code leaseToken} the header, or null).
     */
    static String client(HttpServerRequest request, String leaseToken) {
        String address = request.remoteAddress() == null ? "unknown" : request.remoteAddress().host();
        String desktop = DesktopPorts.proxiedDesktop(request);
        // '#' and '|' are in no address (IPv6 has ':') nor lease token, so no key is another client's
        String client = desktop == null ? address : address + "#" + desktop;
        return LeaseAccess.isLeaseToken(leaseToken) ? client + "|" + leaseToken : client;
    }

    /**
     * The OSWorld desktop routes are exempt: the limit is the device-management API's, while
     * a controller driving the desktop reads a screenshot and acts several times per agent step.
     */
    public static boolean isDesktopRoute(String path) {
        return DESKTOP_ROUTES.contains(path) || path.startsWith("/setup/");
    }

    /** Forgets clients whose window is over, so the table does not grow with every address ever seen. */
    @Scheduled(every = "1m")
    void forgetFinishedWindows() {
        long now = System.currentTimeMillis();
        windows.values().removeIf(window -> now - window.startMs() >= WINDOW_MS);
    }

    /**
     * Forgets every window. For the rate-limit tests only (same package): the test classes share one application, and
     * another class's unauthenticated calls in the last minute would otherwise count against the quota they measure.
     */
    void forgetAll() {
        windows.clear();
    }

    private boolean presentsServiceToken(ContainerRequestContext context) {
        return serviceToken.presentedIn(context.getHeaderString(HttpHeaders.AUTHORIZATION));
    }
}

package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.access.LeaseAccess;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lease checks a desktop's port made on the heads of calls with a body ({@link DesktopCallGate}), handed to the
 * route in this process so that it does not ask the allocator a second time for the same call
 * ({@code osworld/DesktopRouting#act}). The port keeps each check here under a fresh random name (128 bits, drawn per
 * call) and sends the name to the agent's port in {@link #HEADER} next to its proxy mark; the route {@link #take takes}
 * it, once. What a caller sends cannot stand for a check: the port removes any {@link #HEADER} a caller sent, the
 * route takes a check only from a request that carries the proxy's secret mark ({@link DesktopPorts#proxiedDesktop}),
 * and a name is good only while the check it names is here (between the port's check and the end of that one call).
 * The route still decides whether the check is good for it ({@link Checked#coversCall}).
 */
@ApplicationScoped
public class HeadChecks {

    /** The header by which a desktop's port names its head check of the request to the agent's port. */
    public static final String HEADER = "X-Envgrid-Desktop-Head-Check";

    private static final SecureRandom RANDOM = new SecureRandom();
    private final ConcurrentHashMap<String, Checked> checks = new ConcurrentHashMap<>();

    /**
     * A lease check made on a call's head.
     *
     * @param desktop       the desktop's name (its {@code X-Envgrid-Desktop} value)
     * @param authorization the call's {@code Authorization} header, or null
     * @param leaseToken    the call's {@code X-Envgrid-Lease-Token} header, or null
     * @param generation    the desktop gate's generation read before the check: a reset begun since refuses the call
     * @param grant         how the check let the call in
     * @param checkedAt     {@link System#nanoTime()} when the check was answered
     */
    public record Checked(String desktop, String authorization, String leaseToken, long generation,
            LeaseAccess.Grant grant, long checkedAt) {

        /**
         * Whether this check stands for the route's own of a call on {@code desktopName} with these credentials now:
         * the same desktop and the very same headers, answered at most {@code maxAgeNanos} ago.
         */
        public boolean coversCall(String desktopName, String authorizationHeader, String leaseTokenHeader,
                long maxAgeNanos) {
            return desktop.equals(desktopName) && Objects.equals(authorization, authorizationHeader)
                    && Objects.equals(leaseToken, leaseTokenHeader) && System.nanoTime() - checkedAt <= maxAgeNanos;
        }
    }

    /** Keeps {@code checked} for its call; returns the name to send in {@link #HEADER}. */
    String keep(Checked checked) {
        byte[] name = new byte[16];
        RANDOM.nextBytes(name);
        String key = HexFormat.of().formatHex(name);
        checks.put(key, checked);
        return key;
    }

    /** Drops the check named {@code name} (null allowed): its call is over, whether the route took it or not. */
    void forget(String name) {
        if (name != null) {
            checks.remove(name);
        }
    }

    /**
     * The head check a desktop's port made of {@code request}, removed (a check stands for one call only); empty
     * when the request did not come through a desktop's port of this process, or came without a check.
     */
    public Optional<Checked> take(HttpServerRequest request) {
        String name = request.getHeader(HEADER);
        if (name == null || DesktopPorts.proxiedDesktop(request) == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(checks.remove(name));
    }

    /** Checks kept and not yet taken or forgotten (tests). */
    int kept() {
        return checks.size();
    }
}

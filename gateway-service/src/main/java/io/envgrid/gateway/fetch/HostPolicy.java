package io.envgrid.gateway.fetch;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which hosts {@code fetch} may reach. Listed names (exact, or {@code *.example.org} for
 * subdomains) are allowed at any address; {@code *} allows any other host only at a public
 * address, so an agent cannot use the gateway to reach the cluster's own services, the node or a
 * cloud metadata endpoint (server-side request forgery).
 */
final class HostPolicy {

    private final List<String> allowed;

    HostPolicy(List<String> allowed) {
        this.allowed = allowed.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }

    /** Refuses the host (403 {@code FETCH_REFUSED}) unless it is listed or public under {@code *}. */
    void check(String host, InetAddress[] addresses) {
        String name = host.toLowerCase(Locale.ROOT);
        if (allowed.stream().anyMatch(a -> a.equals(name) || (a.startsWith("*.") && name.endsWith(a.substring(1))))) {
            return;
        }
        if (!allowed.contains("*")) {
            throw refused("host '" + host + "' is not in the fetch tool's allowed_hosts", host);
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                throw refused("host '" + host + "' resolves to the non-public address " + address.getHostAddress()
                        + "; list it in allowed_hosts to reach it", host);
            }
        }
    }

    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] raw = address.getAddress();
        if (address instanceof Inet6Address) {
            return (raw[0] & 0xfe) != 0xfc; // fc00::/7 unique local
        }
        int first = raw[0] & 0xff;
        int second = raw[1] & 0xff;
        // 100.64/10 carrier-grade NAT, 0/8 "this network", 192.0.0/24 protocol assignments
        return first != 0 && !(first == 100 && second >= 64 && second < 128) && !(first == 192 && second == 0 && raw[2] == 0);
    }

    private static ToolFailure refused(String message, String host) {
        return new ToolFailure(403, ErrorCode.FETCH_REFUSED, message, Map.of("host", host));
    }
}

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

    /**
     * True for an address on the public internet. Refused besides the JDK's local, link-local, site-local and
     * multicast classes: IPv4 0/8, 100.64/10 (carrier-grade NAT), 192.0.0/24, the documentation nets, 198.18/15
     * (benchmarking) and 240/4 (reserved, with the broadcast address); IPv6 fc00::/7 (unique local), 2001:db8::/32
     * (documentation), 100::/64 (discard), 2001::/32 (Teredo) and 64:ff9b:1::/48 (local NAT64); an IPv6 address that
     * carries an IPv4 one — NAT64 64:ff9b::/96, 6to4 2002::/16, IPv4-compatible ::/96 — is judged by that IPv4
     * address, since a translator would deliver it there (RFC 6890 special-purpose registries).
     */
    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] raw = address.getAddress();
        return address instanceof Inet6Address ? isPublic6(raw) : isPublic4(raw);
    }

    private static boolean isPublic6(byte[] raw) {
        int first16 = ((raw[0] & 0xff) << 8) | (raw[1] & 0xff);
        int second16 = ((raw[2] & 0xff) << 8) | (raw[3] & 0xff);
        if ((raw[0] & 0xfe) == 0xfc || (first16 == 0x2001 && (second16 == 0x0db8 || second16 == 0))
                || (first16 == 0x0100 && second16 == 0 && raw[4] == 0 && raw[5] == 0 && raw[6] == 0 && raw[7] == 0)
                || (first16 == 0x0064 && second16 == 0xff9b && raw[4] == 0 && raw[5] == 1)) {
            return false;
        }
        if (first16 == 0x2002) { // 6to4: the IPv4 address follows the prefix
            return embedded(raw, 2);
        }
        boolean nat64 = first16 == 0x0064 && second16 == 0xff9b && zero(raw, 4, 12);
        if (nat64 || zero(raw, 0, 12)) { // NAT64 well-known prefix, IPv4-compatible ::a.b.c.d
            return embedded(raw, 12);
        }
        return true;
    }

    private static boolean embedded(byte[] raw, int offset) {
        try {
            return isPublic(InetAddress.getByAddress(java.util.Arrays.copyOfRange(raw, offset, offset + 4)));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    private static boolean zero(byte[] raw, int from, int to) {
        for (int i = from; i < to; i++) {
            if (raw[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPublic4(byte[] raw) {
        int first = raw[0] & 0xff;
        int second = raw[1] & 0xff;
        int third = raw[2] & 0xff;
        boolean documentation = (first == 192 && second == 0 && third == 2) || (first == 198 && second == 51 && third == 100)
                || (first == 203 && second == 0 && third == 113);
        return first != 0 && first < 240 && !(first == 100 && second >= 64 && second < 128)
                && !(first == 192 && second == 0 && third == 0) && !(first == 198 && (second == 18 || second == 19))
                && !documentation;
    }

    private static ToolFailure refused(String message, String host) {
        return new ToolFailure(403, ErrorCode.FETCH_REFUSED, message, Map.of("host", host));
    }
}

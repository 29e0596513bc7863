package io.envgrid.gateway.security;

import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Who may talk to the gateway: the Host header must name this server (a DNS-rebinding page in a
 * browser reaches localhost under its own host name), a browser's Origin must be an allowed one,
 * and, when tokens are configured, a valid bearer token must come with the request; it names the
 * {@link Principal} whose entitlement every worker id of the request is then checked against.
 */
@ApplicationScoped
public class AccessGuard {

    private final List<String> allowedHosts;
    private final List<URI> allowedOrigins;
    private final TokenVerifier tokens;
    private final RevokedTokens revoked;

    public AccessGuard(GatewayConfig config, TokenVerifier tokens, RevokedTokens revoked) {
        this.revoked = revoked;
        this.allowedHosts = config.mcp().allowedHosts().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.allowedOrigins = config.mcp().allowedOrigins().stream().map(URI::create).toList();
        this.tokens = tokens;
    }

    /**
     * The principal this request acts for, or its refusal: 403 {@code FORBIDDEN_ORIGIN} for a foreign
     * Host or Origin, 401 {@code UNAUTHORIZED} for a missing or invalid token (a revoked one included).
     */
    public Authentication admit(String host, String origin, String authorization) {
        if (!hostAllowed(host)) {
            return new Authentication.Refused(new ToolFailure(403, ErrorCode.FORBIDDEN_ORIGIN,
                    "Host '" + host + "' is not served here", Map.of()));
        }
        if (origin != null && !originAllowed(origin)) {
            return new Authentication.Refused(new ToolFailure(403, ErrorCode.FORBIDDEN_ORIGIN,
                    "Origin '" + origin + "' is not allowed", Map.of()));
        }
        return revoked.screen(tokens.authenticate(authorization));
    }

    /**
     * The host a request was sent to: its {@code Host} header, or in HTTP/2 (also after an h2c upgrade, which the
     * JDK's HttpClient asks for by default) the {@code :authority} pseudo-header, since such a request has no Host.
     */
    public static String host(HttpServerRequest request) {
        String host = request.getHeader("Host");
        if (host == null && request.authority() != null) {
            return request.authority().toString();
        }
        return host;
    }

    private boolean hostAllowed(String host) {
        if (allowedHosts.contains("*")) {
            return true;
        }
        if (host == null) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        // strip the port; an IPv6 literal keeps its brackets
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf(']')) {
            name = name.substring(0, colon);
        }
        return allowedHosts.contains(name);
    }

    private boolean originAllowed(String origin) {
        URI uri;
        try {
            uri = URI.create(origin);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            return false;
        }
        return allowedOrigins.stream().anyMatch(a -> "*".equals(a.toString())
                || (a.getScheme() != null && a.getScheme().equalsIgnoreCase(uri.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(uri.getHost())
                && (a.getPort() == -1 || a.getPort() == uri.getPort())));
    }
}

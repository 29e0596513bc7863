package io.envgrid.deviceagent.computer.hosting;

import io.envgrid.deviceagent.computer.config.BundleIds;
import io.envgrid.deviceagent.computer.config.McpServerConfig;
import io.envgrid.deviceagent.computer.config.SseParameters;
import io.envgrid.deviceagent.computer.config.StdioParameters;
import io.envgrid.deviceagent.computer.config.StreamableParameters;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * What a server config must hold before it is hosted: a valid bundle id (equal to the one it is stored under),
 * the parameters of its type (a {@code command} and {@code args} {@link StdioCommand} accepts; an absolute
 * {@code http(s)} {@code url}; ISO-8601 or positive timeouts), UTF-8 with {@code strict} decoding for stdio (the MCP SDK reads the stream as UTF-8 and has no other
 * handler), no {@code vrl} (not supported here: refused rather than ignored).
 */
final class ServerConfigCheck {

    private ServerConfigCheck() {
    }

    /**
     * @return the config with its bundle id set
     * @throws IllegalArgumentException naming what is wrong
     */
    static McpServerConfig check(String bundleId, McpServerConfig config) {
        require(config != null, "a server config is required");
        require(BundleIds.valid(bundleId), "bundle_id must match [A-Za-z0-9_-]+ without '__': '" + bundleId + "'");
        require(config.bundleId() == null || config.bundleId().equals(bundleId),
                "bundle_id '" + config.bundleId() + "' differs from '" + bundleId + "'");
        require(config.vrl() == null, "vrl is not supported by this Computer");
        require(config.serverParameters() != null, "type and server_parameters are required");
        if (config.serverParameters() instanceof StdioParameters p) {
            StdioCommand.check(p);
            require(p.encoding() == null || p.encoding().equalsIgnoreCase("utf-8"),
                    "only encoding utf-8 is supported");
            require(p.encodingErrorHandler() == null || p.encodingErrorHandler().equals("strict"),
                    "only encoding_error_handler strict is supported");
        } else if (config.serverParameters() instanceof StreamableParameters p) {
            url(p.url());
            duration(p.timeout(), "timeout");
            duration(p.sseReadTimeout(), "sse_read_timeout");
        } else if (config.serverParameters() instanceof SseParameters p) {
            url(p.url());
            require(p.timeout() == null || p.timeout() > 0, "timeout must be positive seconds");
        }
        return config.withBundleId(bundleId);
    }

    private static void url(String url) {
        require(url != null, "server_parameters.url is required");
        if (url.contains("${input:")) {
            return; // rendered at start; a bad value then fails that start
        }
        try {
            URI u = new URI(url);
            require(("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null,
                    "server_parameters.url must be an absolute http(s) URL");
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("server_parameters.url is not a URL: " + e.getMessage());
        }
    }

    private static void duration(String value, String field) {
        if (value == null) {
            return;
        }
        try {
            require(!Duration.parse(value).isNegative(), field + " must not be negative");
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " must be an ISO-8601 duration such as PT30S");
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}

package io.envgrid.gateway.fetch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.sandbox.profile.ApiToolKind;
import io.envgrid.gateway.tool.Tool;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Builds the API tools a profile switches on (light API tools, registered by name), each with
 * its {@code apis.<config_key>} section, which a call cannot override; they need no session and
 * are offered on the Sandbox API only.
 */
@ApplicationScoped
public class ApiTools {

    private final HttpClient http;
    private final HostBreakers breakers = new HostBreakers();

    private final FetchTool downloads;

    public ApiTools(Vertx vertx, GatewayConfig config) {
        // outside hosts get their own client: no service token, no pool shared with envgrid's services
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000).setMaxPoolSize(64)
                .setTrustAll(false).setVerifyHost(true));
        GatewayConfig.TaskDownloads rules = config.taskDownloads();
        ObjectNode downloadRules = JsonNodeFactory.instance.objectNode().put("max_bytes", rules.maxBytes())
                .put("timeout_ms", rules.timeout().toMillis());
        rules.allowedHosts().forEach(downloadRules.putArray("allowed_hosts")::add);
        this.downloads = new FetchTool(http, downloadRules, breakers);
    }

    @PreDestroy
    void close() {
        http.close();
    }

    /**
     * Fetches a file of an OSWorld {@code download} step under the fetch tool's rules, configured by
     * {@code envgrid.gateway.task-downloads.*}: {@code url} → its bytes, or empty when the body passed {@code limit}
     * bytes (the rest of what its task may download): the transfer is stopped as soon as it does.
     */
    public Uni<Optional<byte[]>> download(String url, int limit) {
        return downloads.download(url, limit);
    }

    public Tool create(ApiToolKind kind, ObjectNode config) {
        return switch (kind) {
            case FETCH -> new FetchTool(http, config, breakers);
        };
    }
}

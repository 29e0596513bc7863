package io.envgrid.gateway.fetch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.sandbox.profile.ApiToolKind;
import io.envgrid.gateway.tool.Tool;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Builds the API tools a profile switches on (light API tools, registered by name), each with
 * its {@code apis.<config_key>} section, which a call cannot override; they need no session and
 * are offered on the Sandbox API only.
 */
@ApplicationScoped
public class ApiTools {

    private final HttpClient http;
    private final HostBreakers breakers = new HostBreakers();

    public ApiTools(Vertx vertx) {
        // outside hosts get their own client: no service token, no pool shared with envgrid's services
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000).setMaxPoolSize(64)
                .setTrustAll(false).setVerifyHost(true));
    }

    @PreDestroy
    void close() {
        http.close();
    }

    public Tool create(ApiToolKind kind, ObjectNode config) {
        return switch (kind) {
            case FETCH -> new FetchTool(http, config, breakers);
        };
    }
}

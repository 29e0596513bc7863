package io.envgrid.gateway.client;

import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;

/**
 * Asks another envgrid service whether it is ready (its {@code /q/health/ready}), as Sandbox warm-ups do; health
 * needs no credential, so none is presented.
 */
@ApplicationScoped
public class ServiceProbe {

    private final Downstream downstream;
    private final Duration timeout;

    public ServiceProbe(Downstream downstream, GatewayConfig config) {
        this.downstream = downstream;
        this.timeout = config.downstream().timeout();
    }

    /** Completes when the service is ready; a 503 {@code BACKEND_NOT_READY} when it answers that it is not. */
    public Uni<String> ready(String name, String baseUrl) {
        return downstream.exchange(name, HttpMethod.GET, baseUrl + "/q/health/ready", null, timeout, true, Credential.none()).map(reply -> {
            if (!reply.ok()) {
                throw new ToolFailure(503, ErrorCode.BACKEND_NOT_READY, name + " at " + baseUrl + " is not ready",
                        Map.of("backend", name, "health", reply.body()));
            }
            return "ready";
        });
    }
}

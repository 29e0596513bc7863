package io.envgrid.gateway.health;

import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.config.GatewayConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the allocator answers: without it no tool can allocate or release, and a
 * replica that cannot reach it should get no new agents. (Redis has its own check from the
 * Redis client extension.) The probe is a plain TCP-level HTTP call outside the tool path's
 * circuit breakers, so readiness reflects the allocator, not the breaker's memory.
 */
@Readiness
@ApplicationScoped
public class AllocatorReadiness implements AsyncHealthCheck {

    private final HttpClient http;
    private final Backends backends;
    private final Duration timeout;

    public AllocatorReadiness(Vertx vertx, Backends backends, GatewayConfig config) {
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.downstream().connectTimeout().toMillis()));
        this.backends = backends;
        this.timeout = config.downstream().timeout();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(backends.allocator() + "/q/health/live"))
                .chain(request -> request.send())
                .map(response -> HealthCheckResponse.named("allocator").status(response.statusCode() == 200)
                        .withData("url", backends.allocator()).build())
                .ifNoItem().after(timeout).fail()
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("allocator").down()
                        .withData("url", backends.allocator()).withData("error", String.valueOf(e.getMessage())).build());
    }
}

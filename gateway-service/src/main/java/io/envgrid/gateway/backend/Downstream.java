package io.envgrid.gateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Every call the gateway makes to another service: JSON over the Vert.x web client, never
 * blocking a thread, with a deadline on each call, one circuit breaker and one bulkhead per
 * backend address (so a dead or slow backend neither hangs nor starves calls to the others),
 * and retries only for calls the caller marks idempotent.
 */
@ApplicationScoped
public class Downstream {

    private static final List<Class<? extends Throwable>> BACKEND_DOWN =
            List.of(BackendException.Unreachable.class, BackendException.TimedOut.class);
    private static final TypeLiteral<Uni<Reply>> REPLY = new TypeLiteral<>() {
    };

    private final WebClient web;
    private final ObjectMapper json;
    private final GatewayConfig.Downstream config;
    private final Backends backends;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, TypedGuard<Uni<Reply>>> guards = new ConcurrentHashMap<>();

    public Downstream(Vertx vertx, ObjectMapper json, GatewayConfig config, Backends backends, MeterRegistry registry) {
        this.config = config.downstream();
        this.web = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) this.config.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setMaxPoolSize(this.config.bulkhead()));
        this.json = json;
        this.backends = backends;
        this.registry = registry;
    }

    @PreDestroy
    void close() {
        web.close();
    }

    /**
     * Calls a backend and returns its JSON body when it answers 2xx; any other answer becomes a
     * {@link ToolFailure} carrying the backend's own status and error code.
     */
    public Uni<JsonNode> json(String backend, HttpMethod method, String url, Object body, Duration deadline,
            boolean idempotent) {
        return exchange(backend, method, url, body, deadline, idempotent).map(reply -> {
            if (!reply.ok()) {
                throw failureOf(backend, reply);
            }
            return reply.body();
        });
    }

    /** Calls a backend and returns whatever it answered; only a backend that did not answer is a failure. */
    public Uni<Reply> exchange(String backend, HttpMethod method, String url, Object body, Duration deadline,
            boolean idempotent) {
        String target = targetOf(url);
        Timer.Sample sample = Timer.start(registry);
        Uni<Reply> call = Uni.createFrom().deferred(() -> guarded(target, method, url, body, deadline));
        if (idempotent) {
            call = call.onFailure(BackendException.Unreachable.class).retry()
                    .withBackOff(Duration.ofMillis(50)).atMost(config.retries());
        }
        return call
                .onItem().invoke(reply -> sample.stop(timer(backend, reply.ok() ? "ok" : "error_response")))
                .onFailure().transform(e -> {
                    sample.stop(timer(backend, outcomeOf(e)));
                    return translate(backend, e);
                });
    }

    private Uni<Reply> guarded(String target, HttpMethod method, String url, Object body, Duration deadline) {
        try {
            return guard(target).call(() -> send(target, method, url, body, deadline));
        } catch (Exception e) {
            return Uni.createFrom().failure(e);
        }
    }

    private Uni<Reply> send(String target, HttpMethod method, String url, Object body, Duration deadline) {
        HttpRequest<Buffer> request = web.requestAbs(method, url).putHeader("Accept", "application/json");
        backends.serviceToken().ifPresent(t -> request.putHeader("Authorization", "Bearer " + t));
        Uni<HttpResponse<Buffer>> sent;
        if (body == null) {
            sent = request.send();
        } else {
            Buffer payload;
            try {
                payload = Buffer.buffer(json.writeValueAsBytes(body));
            } catch (IOException e) {
                return Uni.createFrom().failure(e);
            }
            sent = request.putHeader("Content-Type", "application/json").sendBuffer(payload);
        }
        return sent
                .onFailure(e -> !(e instanceof BackendException)).transform(e -> new BackendException.Unreachable(target, e))
                .ifNoItem().after(deadline).failWith(() -> new BackendException.TimedOut(target, deadline.toMillis()))
                .map(this::toReply);
    }

    private Reply toReply(HttpResponse<Buffer> response) {
        JsonNode body;
        Buffer raw = response.body();
        if (raw == null || raw.length() == 0) {
            body = TextNode.valueOf("");
        } else {
            try {
                body = json.readTree(raw.getBytes());
            } catch (IOException e) {
                body = TextNode.valueOf(raw.toString());
            }
        }
        return new Reply(response.statusCode(), body, "true".equals(response.getHeader("X-Envgrid-Replayed")));
    }

    private TypedGuard<Uni<Reply>> guard(String target) {
        return guards.computeIfAbsent(target, t -> TypedGuard.create(REPLY)
                .withDescription("backend " + t)
                .withBulkhead().limit(config.bulkhead()).queueSize(config.bulkheadQueue()).done()
                .withCircuitBreaker()
                .requestVolumeThreshold(config.breakerVolume())
                .failureRatio(config.breakerFailureRatio())
                .delay(config.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                .failOn(BACKEND_DOWN)
                .done()
                .build());
    }

    /** Circuit breakers and bulkheads are per backend address, not per URL. */
    private static String targetOf(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
    }

    private Timer timer(String backend, String outcome) {
        return Timer.builder("envgrid.gateway.backend.calls")
                .description("Calls from the gateway to other envgrid services")
                .tags("backend", backend, "outcome", outcome)
                .publishPercentileHistogram()
                .register(registry);
    }

    private static String outcomeOf(Throwable e) {
        if (e instanceof BackendException.TimedOut) {
            return "timeout";
        }
        if (e instanceof BackendException.Unreachable) {
            return "unreachable";
        }
        if (e instanceof CircuitBreakerOpenException) {
            return "circuit_open";
        }
        if (e instanceof BulkheadException) {
            return "bulkhead_full";
        }
        return "failed";
    }

    private static Throwable translate(String backend, Throwable e) {
        Map<String, Object> details = Map.of("backend", backend);
        if (e instanceof BackendException.TimedOut) {
            return new ToolFailure(504, ErrorCode.BACKEND_TIMEOUT, e.getMessage(), details);
        }
        if (e instanceof BackendException.Unreachable) {
            return new ToolFailure(502, ErrorCode.BACKEND_UNREACHABLE, e.getMessage(), details);
        }
        if (e instanceof CircuitBreakerOpenException) {
            return new ToolFailure(503, ErrorCode.BACKEND_CIRCUIT_OPEN,
                    backend + " is failing; calls are paused for a moment", details);
        }
        if (e instanceof BulkheadException) {
            return new ToolFailure(503, ErrorCode.BACKEND_BUSY, backend + " has too many calls in flight", details);
        }
        return e;
    }

    /** A backend's refusal, passed on with its status and its envelope's code, message and details. */
    public static ToolFailure failureOf(String backend, Reply reply) {
        JsonNode error = reply.body().path("error");
        if (error.isObject() && error.hasNonNull("code")) {
            Map<String, Object> details = new LinkedHashMap<>();
            error.path("details").fields().forEachRemaining(f -> details.put(f.getKey(), f.getValue()));
            details.put("backend", backend);
            return new ToolFailure(reply.status(), error.get("code").asText(), error.path("message").asText(), details);
        }
        return new ToolFailure(reply.status() >= 500 ? 502 : reply.status(), ErrorCode.BACKEND_ERROR,
                backend + " answered " + reply.status(),
                Map.of("backend", backend, "status", reply.status(), "body", truncate(reply.body().toString())));
    }

    private static String truncate(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "…";
    }
}

package io.envgrid.gateway.client;

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
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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

    private final HttpClient http;
    private final ObjectMapper json;
    private final GatewayConfig.Downstream config;
    private final Backends backends;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, TypedGuard<Uni<Reply>>> guards = new ConcurrentHashMap<>();
    /** Per call otherwise: a meter lookup (id, tags) and a URI parse cost more than the rest of the bookkeeping. */
    private final ConcurrentMap<String, ConcurrentMap<String, Timer>> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> targets = new ConcurrentHashMap<>();

    public Downstream(Vertx vertx, ObjectMapper json, GatewayConfig config, Backends backends, MeterRegistry registry) {
        this.config = config.downstream();
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) this.config.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setMaxPoolSize(this.config.bulkhead()));
        this.json = json;
        this.backends = backends;
        this.registry = registry;
    }

    @PreDestroy
    void close() {
        http.close();
    }

    /**
     * Calls a backend and returns its JSON body when it answers 2xx; any other answer becomes a
     * {@link ToolFailure} carrying the backend's own status and error code. {@code credential} is what the call
     * presents (never logged); one that carries the service token is refused, before anything is sent, unless
     * {@code url} is on a configured backend ({@link Backends#isConfigured}).
     */
    public Uni<JsonNode> json(String backend, HttpMethod method, String url, Object body, Duration deadline,
            boolean idempotent, Credential credential) {
        return exchange(backend, method, url, body, deadline, idempotent, credential).map(reply -> {
            if (!reply.ok()) {
                throw failureOf(backend, reply);
            }
            return reply.body();
        });
    }

    /**
     * Calls a backend and returns whatever it answered; only a backend that did not answer is a failure.
     * {@code credential} as for {@link #json}.
     */
    public Uni<Reply> exchange(String backend, HttpMethod method, String url, Object body, Duration deadline,
            boolean idempotent, Credential credential) {
        if (credential.carriesServiceToken() && !backends.isConfigured(url)) {
            // a call site's mistake, never a caller's input: the token must not leave for an address nobody configured
            return Uni.createFrom().failure(new IllegalStateException("the service token goes only to the configured "
                    + "backends; refused for " + targetOf(url)));
        }
        Map<String, String> headers = credential.headers(backends.serviceToken());
        String target = targetOf(url);
        Timer.Sample sample = Timer.start(registry);
        // the fault-tolerance guard does not pass a cancellation on to the call it wraps; this does
        AtomicReference<HttpClientRequest> inFlight = new AtomicReference<>();
        Uni<Reply> call = Uni.createFrom().deferred(() -> guarded(target, method, url, body, deadline, headers, inFlight));
        if (idempotent) {
            call = call.onFailure(BackendException.Unreachable.class).retry()
                    .withBackOff(Duration.ofMillis(50)).atMost(config.retries());
        }
        return call
                .onCancellation().invoke(() -> {
                    HttpClientRequest request = inFlight.get();
                    if (request != null) {
                        request.reset();
                    }
                    sample.stop(timer(backend, "cancelled"));
                })
                .onItem().invoke(reply -> sample.stop(timer(backend, reply.ok() ? "ok" : "error_response")))
                .onFailure().transform(e -> {
                    sample.stop(timer(backend, outcomeOf(e)));
                    return translate(backend, e);
                });
    }

    private Uni<Reply> guarded(String target, HttpMethod method, String url, Object body, Duration deadline,
            Map<String, String> headers, AtomicReference<HttpClientRequest> inFlight) {
        try {
            return guard(target).call(() -> send(target, method, url, body, deadline, headers, inFlight));
        } catch (Exception e) {
            return Uni.createFrom().failure(e);
        }
    }

    /**
     * One HTTP exchange on the Vert.x core client, so that a cancelled call (the caller gave up, or
     * its deadline passed) resets the request: the backend sees the connection close and stops
     * too, which matters for an allocation still waiting in the allocator's queue.
     */
    private Uni<Reply> send(String target, HttpMethod method, String url, Object body, Duration deadline,
            Map<String, String> headers, AtomicReference<HttpClientRequest> inFlight) {
        Buffer payload;
        try {
            payload = body == null ? null : Buffer.buffer(json.writeValueAsBytes(body));
        } catch (IOException e) {
            return Uni.createFrom().failure(e);
        }
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url)
                .putHeader("Accept", "application/json");
        headers.forEach(options::putHeader);
        if (payload != null) {
            options.putHeader("Content-Type", "application/json");
        }
        Uni<Reply> exchange = Uni.createFrom().emitter(emitter -> {
            AtomicBoolean answered = new AtomicBoolean();
            // termination without an answer is a cancellation (the deadline passed)
            emitter.onTermination(() -> {
                HttpClientRequest request = inFlight.get();
                if (request != null && !answered.get()) {
                    request.reset();
                }
            });
            http.request(options)
                    .compose(request -> {
                        inFlight.set(request);
                        return payload == null ? request.send() : request.send(payload);
                    })
                    .compose(response -> response.body().map(raw -> toReply(response.statusCode(), raw)))
                    .onComplete(done -> answered.set(true))
                    .onSuccess(emitter::complete)
                    .onFailure(e -> emitter.fail(new BackendException.Unreachable(target, e)));
        });
        return exchange
                .ifNoItem().after(deadline).failWith(() -> new BackendException.TimedOut(target, deadline.toMillis()));
    }

    private Reply toReply(int status, Buffer raw) {
        JsonNode body;
        if (raw == null || raw.length() == 0) {
            body = TextNode.valueOf("");
        } else {
            try {
                body = json.readTree(raw.getBytes());
            } catch (IOException e) {
                body = TextNode.valueOf(raw.toString());
            }
        }
        return new Reply(status, body);
    }

    private TypedGuard<Uni<Reply>> guard(String target) {
        return guards.computeIfAbsent(target, t -> TypedGuard.create(REPLY)
                .withDescription("backend " + t)
                // the call is non-blocking and made from an event loop: moving it to another task is only a hop per call
                .withThreadOffload(false)
                .withBulkhead().limit(config.bulkhead()).queueSize(config.bulkheadQueue()).done()
                .withCircuitBreaker()
                .requestVolumeThreshold(config.breakerVolume())
                .failureRatio(config.breakerFailureRatio())
                .delay(config.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                .failOn(BACKEND_DOWN)
                .done()
                .build());
    }

    /** Circuit breakers and bulkheads are per backend address, not per URL; parsed once per scheme and authority. */
    private String targetOf(String url) {
        int authority = url.indexOf("://");
        int path = authority < 0 ? -1 : url.indexOf('/', authority + 3);
        String base = path < 0 ? url : url.substring(0, path);
        return targets.computeIfAbsent(base, b -> {
            URI uri = URI.create(b);
            return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
        });
    }

    private Timer timer(String backend, String outcome) {
        // backend → outcome → timer: a look-up builds no key per call
        ConcurrentMap<String, Timer> byOutcome = timers.get(backend);
        Timer known = byOutcome == null ? null : byOutcome.get(outcome);
        if (known != null) {
            return known;
        }
        return timers.computeIfAbsent(backend, b -> new ConcurrentHashMap<>()).computeIfAbsent(outcome, o -> Timer.builder("envgrid.gateway.backend.calls")
                .description("Calls from the gateway to other envgrid services")
                .tags("backend", backend, "outcome", outcome)
                .publishPercentileHistogram()
                .register(registry));
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

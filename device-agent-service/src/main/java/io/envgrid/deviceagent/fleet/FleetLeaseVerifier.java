package io.envgrid.deviceagent.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.allocatorclient.AllocatorBearer;
import io.envgrid.deviceagent.allocatorclient.AllocatorSettings;
import io.envgrid.deviceagent.allocatorclient.AllocatorUnavailableException;
import io.envgrid.deviceagent.allocatorclient.LeaseApi;
import io.envgrid.deviceagent.allocatorclient.LeaseVerdict;
import io.envgrid.deviceagent.allocatorclient.VerifiedLease;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import java.io.IOException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The allocator's lease check ({@code POST /leases/verify}) as the desktops' ports make it on a call's head: with a
 * non-blocking client on the fleet's event loop ({@link FleetVertx}), so the check costs no hand-off to a worker
 * thread and back (and none to Quarkus' event loop, where the REST client of
 * {@link io.envgrid.deviceagent.allocatorclient.LeaseVerifier} does its I/O). The same terms as that one: never
 * cached; 2 s to connect and 2 s without an answer, 2.5 s per attempt at most; one retry after 50 ms on no answer or
 * a 5xx; a circuit breaker (10 calls, 80 % failed, open for 2 s) so that a dead allocator is answered at once. The
 * breaker is this client's own: the routes' checks keep theirs.
 */
@ApplicationScoped
public class FleetLeaseVerifier {

    private static final TypeLiteral<CompletionStage<LeaseVerdict>> VERDICT = new TypeLiteral<>() {
    };
    private static final long ATTEMPT_MILLIS = 2500;
    private static final long RETRY_DELAY_MILLIS = 50;
    /** Connections kept to the allocator: one per lease check running at once, as the worker threads were. */
    private static final int POOL = 16;

    private final FleetVertx vertx;
    private final ObjectMapper json;
    private final Optional<String> verifyUrl;
    private final Optional<String> bearer;
    private final TypedGuard<CompletionStage<LeaseVerdict>> breaker;
    private HttpClient client;

    public FleetLeaseVerifier(FleetVertx vertx, ObjectMapper json, AllocatorSettings settings, AllocatorBearer bearer) {
        this.vertx = vertx;
        this.json = json;
        this.bearer = bearer.token();
        this.verifyUrl = settings.url().map(url -> {
            String base = url.toString();
            return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/leases/verify";
        });
        this.breaker = TypedGuard.create(VERDICT)
                .withDescription("allocator lease check of the desktops' ports")
                // the call is non-blocking and made on the fleet's event loop: offloading it would add the hop saved
                .withThreadOffload(false)
                .withCircuitBreaker().requestVolumeThreshold(10).failureRatio(0.8).delay(2, ChronoUnit.SECONDS)
                .failOn(AllocatorUnavailableException.class).done()
                .build();
    }

    /**
     * Is {@code leaseToken} the live lease of {@code resourceId}? Call it on the fleet's event loop; the answer
     * completes there.
     *
     * @return the verdict; failed with {@link AllocatorUnavailableException} (no answer, a 5xx, the allocator refused
     *         the agent's token) or the breaker's {@code CircuitBreakerOpenException}: callers treat them alike
     */
    public Future<LeaseVerdict> verify(String resourceId, String leaseToken) {
        return attempt(resourceId, leaseToken).recover(first -> {
            if (!(first instanceof AllocatorUnavailableException)) {
                return Future.failedFuture(first); // the breaker is open: no retry, as with the routes' check
            }
            Promise<Void> delay = Promise.promise();
            vertx.get().setTimer(RETRY_DELAY_MILLIS, id -> delay.complete());
            return delay.future().compose(waited -> attempt(resourceId, leaseToken));
        });
    }

    /** One attempt through the breaker. */
    private Future<LeaseVerdict> attempt(String resourceId, String leaseToken) {
        CompletionStage<LeaseVerdict> stage;
        try {
            stage = breaker.call(() -> once(resourceId, leaseToken).toCompletionStage());
        } catch (Exception e) {
            return Future.failedFuture(e);
        }
        return Future.fromCompletionStage(stage, vertx.get().getOrCreateContext())
                .recover(e -> Future.failedFuture(e instanceof CompletionException && e.getCause() != null
                        ? e.getCause() : e));
    }

    private Future<LeaseVerdict> once(String resourceId, String leaseToken) {
        String url = verifyUrl.orElseThrow(() -> new IllegalStateException("envgrid.allocator.url is not set"));
        Buffer body;
        try {
            body = Buffer.buffer(json.writeValueAsBytes(new LeaseApi.VerifyRequest(resourceId, leaseToken)));
        } catch (IOException e) {
            return Future.failedFuture(new IllegalStateException("a lease check request is always serialisable", e));
        }
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                .setConnectTimeout(2000).setIdleTimeout(2000)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, "application/json");
        bearer.ifPresent(token -> request.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token));
        return client().request(request)
                .compose(sent -> sent.send(body))
                .compose(response -> response.body()
                        .map(answer -> LeaseVerdict.of(response.statusCode(), () -> lease(answer))))
                .timeout(ATTEMPT_MILLIS, TimeUnit.MILLISECONDS)
                .recover(e -> Future.failedFuture(e instanceof AllocatorUnavailableException ? e
                        : new AllocatorUnavailableException("allocator unreachable: " + e, e)));
    }

    /** The body of a 200: the live lease. */
    private VerifiedLease lease(Buffer answer) {
        try {
            return json.readValue(answer.getBytes(), VerifiedLease.class);
        } catch (IOException e) {
            throw new AllocatorUnavailableException("the allocator's lease answer cannot be read: " + e, e);
        }
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = vertx.get().createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(POOL));
        }
        return client;
    }

    @PreDestroy
    synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}

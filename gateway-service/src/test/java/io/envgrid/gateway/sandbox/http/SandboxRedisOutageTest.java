package io.envgrid.gateway.sandbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ErrorEnvelope;
import io.envgrid.gateway.security.Authentication;
import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.impl.types.ErrorType;
import jakarta.ws.rs.core.Response;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A Redis outage met by the Sandbox API (the access filter's revocation look-up, or a resource's own Redis command)
 * is the retryable {@code 503 REDIS_UNAVAILABLE} with the envelope, never a 500; any other failure stays a fault.
 * The failures are the ones the Redis client hands on (see {@code RedisOutageTest}); no Redis is started.
 */
class SandboxRedisOutageTest {

    @Test
    void theFilterRefusesWith503WhenTheRevocationLookUpMeetsAnOutage() {
        Uni<Authentication> lost = Uni.createFrom().failure(new CompletionException(new SocketException("Connection reset")));
        Response answer = SandboxAccess.admitted(lost, null).await().atMost(Duration.ofSeconds(5));
        assertRedisUnavailable(answer);

        Uni<Authentication> loading = Uni.createFrom().failure(ErrorType.create("LOADING Redis is loading the dataset"));
        assertRedisUnavailable(SandboxAccess.admitted(loading, null).await().atMost(Duration.ofSeconds(5)));
    }

    @Test
    void aFaultInTheFilterIsNotTakenForAnOutage() {
        Uni<Authentication> bug = Uni.createFrom().failure(new IllegalStateException("a bug"));
        assertThrows(IllegalStateException.class, () -> SandboxAccess.admitted(bug, null).await().atMost(Duration.ofSeconds(5)));
    }

    @Test
    void theMapperAnswersAnOutage503AndAnyOtherFailure500() {
        SandboxErrors errors = new SandboxErrors();
        assertRedisUnavailable(errors.failed(new CompletionException(new ClosedChannelException())));
        assertRedisUnavailable(errors.failed(ErrorType.create("READONLY You can't write against a read only replica.")));
        Response fault = errors.failed(new IllegalStateException("a bug"));
        assertEquals(500, fault.getStatus());
        assertEquals(ErrorCode.INTERNAL_ERROR, ((ErrorEnvelope) fault.getEntity()).error().code());
    }

    private static void assertRedisUnavailable(Response answer) {
        assertEquals(503, answer.getStatus());
        assertEquals(ErrorCode.REDIS_UNAVAILABLE, ((ErrorEnvelope) answer.getEntity()).error().code());
    }
}

package io.envgrid.vmcontroller.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.vmcontroller.config.VmControllerConfig;
import java.lang.reflect.Proxy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The settings {@link ReplicaAcknowledgement} refuses at start: a negative replica count, and with waiting on a
 * {@code wait-timeout} of 0 (Redis' {@code WAIT n 0} blocks for ever) or one that {@code redis-timeout} would cut off
 * (the caller would get {@code REDIS_UNAVAILABLE} instead of the retryable {@code REPLICATION_TIMEOUT}).
 */
class ReplicaAcknowledgementSettingsTest {

    /** The two settings the class reads, under the default {@code redis-timeout} of 5 s; nothing else is asked. */
    private static VmControllerConfig config(int replicas, Duration waitTimeout) {
        VmControllerConfig.Redis redis = (VmControllerConfig.Redis) Proxy.newProxyInstance(
                VmControllerConfig.class.getClassLoader(), new Class<?>[] {VmControllerConfig.Redis.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "waitReplicas" -> replicas;
                    case "waitTimeout" -> waitTimeout;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (VmControllerConfig) Proxy.newProxyInstance(VmControllerConfig.class.getClassLoader(),
                new Class<?>[] {VmControllerConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "redis" -> redis;
                    case "redisTimeout" -> Duration.ofSeconds(5);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void refusesWhatCannotWorkAndTakesTheRest() {
        assertThrows(IllegalStateException.class, () -> new ReplicaAcknowledgement(null, config(-1, Duration.ofSeconds(1))));
        assertThrows(IllegalStateException.class, () -> new ReplicaAcknowledgement(null, config(1, Duration.ZERO)));
        assertThrows(IllegalStateException.class, () -> new ReplicaAcknowledgement(null, config(1, Duration.ofSeconds(5))));
        assertTrue(new ReplicaAcknowledgement(null, config(1, Duration.ofMillis(4999))).enabled());
        // Off, the timeout is never used and is not checked.
        assertFalse(new ReplicaAcknowledgement(null, config(0, Duration.ofSeconds(30))).enabled());
    }
}

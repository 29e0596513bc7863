package io.envgrid.vmcontroller.support;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test class runs the controller on a Redis master that has one replica ({@link ReplicatedRedisTestResource});
 * {@code quarkus.redis.hosts} is the master, the test reads the replica with {@code Resp} and may stop it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(ReplicatedRedisTestResource.class)
public @interface WithRedisReplica {
}

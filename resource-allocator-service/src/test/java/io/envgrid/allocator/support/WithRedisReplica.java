package io.envgrid.allocator.support;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The test class runs the allocator on a Redis master with one replica ({@link ReplicatedRedisTestResource}). */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(ReplicatedRedisTestResource.class)
public @interface WithRedisReplica {
}

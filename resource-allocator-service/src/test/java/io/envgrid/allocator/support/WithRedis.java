package io.envgrid.allocator.support;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test class runs the allocator on a real Redis ({@link RedisTestResource}: a redis-server on a free port,
 * given to the application as {@code quarkus.redis.hosts}). Only classes carrying this annotation get it;
 * classes with the same test resources and no test profile share one application start and one Redis
 * ({@code @WithTestResource}'s default scope restarts Quarkus only between classes whose resources differ).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(RedisTestResource.class)
public @interface WithRedis {
}

package io.envgrid.allocator.support;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The test class runs the allocator on a Redis master + replica behind three Sentinels ({@link RedisSentinelTestResource}). */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(RedisSentinelTestResource.class)
public @interface WithRedisSentinel {
}

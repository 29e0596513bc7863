package io.envgrid.allocator.support;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test class runs the allocator on a real three-master Redis Cluster ({@link RedisClusterTestResource},
 * {@code quarkus.redis.client-type=cluster}). The cluster is shared by every class carrying this annotation.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(RedisClusterTestResource.class)
public @interface WithRedisCluster {
}

package io.envgrid.gateway.support;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test class runs the gateway against the shared {@link TestCluster} (Redis, the packaged allocator and
 * vm-controller, stand-in desktops), through {@link ClusterResource}. Only classes carrying this annotation get
 * it. Classes with the same test resources (and no test profile) share one application start:
 * {@code @WithTestResource}'s default scope, {@code MATCHING_RESOURCES}, restarts Quarkus only between classes
 * whose resources differ; the cluster itself is started once per JVM.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(ClusterResource.class)
public @interface WithCluster {
}

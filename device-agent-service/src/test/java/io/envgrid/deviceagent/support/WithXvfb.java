package io.envgrid.deviceagent.support;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test class drives a real X display: {@link Xvfb} (one per test JVM) with the desktop endpoint switched on
 * for it. Restricted to the annotated class, as every {@code @WithTestResource} is by default.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(Xvfb.class)
public @interface WithXvfb {
}

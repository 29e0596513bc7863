package io.envgrid.deviceagent.support;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test class registers with a real resource allocator: {@link RealAllocator} (the packaged allocator on its
 * own embedded Redis) started for this class, the agent configured to register its devices and its
 * {@link Xvfb} desktop there. Restricted to the annotated class, as every {@code @WithTestResource} is by default.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(RealAllocator.class)
public @interface WithAllocator {
}

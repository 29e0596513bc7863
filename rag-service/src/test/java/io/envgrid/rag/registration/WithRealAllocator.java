package io.envgrid.rag.registration;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test class runs against the real allocator ({@link RealAllocator}: the packaged allocator on its own Redis),
 * with this service registering its collections there. Only classes carrying this annotation get it; they
 * share one application start (Quarkus restarts only between classes whose test resources differ).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(RealAllocator.class)
public @interface WithRealAllocator {
}

package io.envgrid.deviceagent.support;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test class's agent is an A2C-SMCP Computer dialling {@link SmcpStandin} (a stand-in signalling server that
 * also plays the office's agent). Restricted to the annotated class.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(SmcpStandin.class)
public @interface WithSmcpStandin {
}

package io.envgrid.deviceagent.support;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The agent under test hosts its own desktops: {@link FleetDesktops}. Restricted to the annotated class. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(FleetDesktops.class)
public @interface WithFleetDesktops {
}

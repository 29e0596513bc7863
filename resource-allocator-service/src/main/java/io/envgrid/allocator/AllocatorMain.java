package io.envgrid.allocator;

import io.envgrid.allocator.error.HttpFailures;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The allocator's entry point. Before Quarkus starts it turns off Quarkus' own check of the request URI
 * ({@value HttpFailures#URI_CHECK_OFF}, read once when the HTTP server starts): that check answers a target
 * {@code java.net.URI} cannot parse ({@code %zz}, a raw space) with an empty 400 before any route runs.
 * {@link HttpFailures} makes the same check on its first route and answers with the error envelope.
 */
@QuarkusMain
public class AllocatorMain {

    public static void main(String... args) {
        System.setProperty(HttpFailures.URI_CHECK_OFF, "true");
        Quarkus.run(args);
    }
}

package io.envgrid.rag;

import io.envgrid.rag.error.RouterErrors;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The rag service's entry point. Before Quarkus starts it turns off Quarkus' own check of the request URI
 * ({@value RouterErrors#URI_CHECK_OFF}, read once when the HTTP server starts): that check answers a target
 * {@code java.net.URI} cannot parse ({@code %zz}, a raw space) with an empty 400 before any route runs.
 * {@link RouterErrors} makes the same check as its first route and answers with the error envelope.
 */
@QuarkusMain
public class RagMain {

    public static void main(String... args) {
        System.setProperty(RouterErrors.URI_CHECK_OFF, "true");
        Quarkus.run(args);
    }
}

package io.envgrid.vmcontroller;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The controller's entry point. Before Quarkus starts it turns off Quarkus' own check of the request
 * URI ({@code vertx.disableURIValidation}): that check answers a URI {@code java.net.URI} cannot
 * parse (a bad percent-escape such as {@code %ZZ}, a raw space) with a bare 400 before any
 * application code runs, so the answer would lack the error envelope. With it off, such requests
 * reach the router, whose error handler ({@code HttpLayerErrors}) answers 400 with the envelope.
 * The tests set the same property (pom.xml, surefire).
 */
@QuarkusMain
public class VmControllerMain {

    /** The property Quarkus reads once, when its HTTP recorder class is initialised. */
    static final String DISABLE_URI_VALIDATION = "vertx.disableURIValidation";

    public static void main(String... args) {
        if (System.getProperty(DISABLE_URI_VALIDATION) == null) {
            System.setProperty(DISABLE_URI_VALIDATION, "true");
        }
        Quarkus.run(args);
    }
}

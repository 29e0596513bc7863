package io.envgrid.deviceagent;

import io.envgrid.deviceagent.error.HttpRefusals;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The agent's entry point. Before Quarkus starts it turns off Quarkus' own check of the request URI
 * ({@value HttpRefusals#URI_CHECK_OFF}, read once when the HTTP server starts): that check answers a target
 * {@code java.net.URI} cannot parse ({@code %zz}, a raw space) with an empty 400 before any route runs.
 * {@link HttpRefusals} makes the same check as its first route and answers with the error envelope.
 */
@QuarkusMain
public class DeviceAgentMain {

    public static void main(String... args) {
        System.setProperty(HttpRefusals.URI_CHECK_OFF, "true");
        Quarkus.run(args);
    }
}

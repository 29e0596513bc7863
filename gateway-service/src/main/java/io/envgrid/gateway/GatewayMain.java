package io.envgrid.gateway;

import io.envgrid.gateway.error.HttpFailures;
import io.envgrid.gateway.sandbox.profile.ValidateCommand;
import io.envgrid.gateway.security.MintTokenCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * The gateway's entry point: the server; {@code validate [profile.json]}, which checks a Sandbox
 * profile and exits; or {@code mint-token …}, which prints a gateway token and exits.
 */
@QuarkusMain
public class GatewayMain {

    public static void main(String... args) {
        if (args.length > 0 && "validate".equals(args[0])) {
            System.exit(ValidateCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err, System::getenv));
        }
        if (args.length > 0 && "mint-token".equals(args[0])) {
            System.exit(MintTokenCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err, System::getenv));
        }
        // HttpFailures checks request URIs itself, to answer a malformed one with the error envelope
        System.setProperty(HttpFailures.URI_CHECK_OFF, "true");
        Quarkus.run(args);
    }
}

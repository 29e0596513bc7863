package io.envgrid.gateway.sandbox.profile;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.function.Function;

/**
 * {@code validate [profile.json]}: the Sandbox server's {@code --validate} preflight. Reads and checks a
 * Sandbox profile without starting the server and exits 0 when it can be served, 1 with every
 * problem listed otherwise, 2 on a usage error — so CI can check a profile before a deployment.
 */
public final class ValidateCommand {

    private ValidateCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err, Function<String, String> environment) {
        if (args.length > 1) {
            err.println("usage: validate [profile.json]   (no file: the profile shipped in the application)");
            return 2;
        }
        String path = args.length == 1 ? args[0] : null;
        try {
            SandboxProfile profile = ProfileSource.load(path, new ObjectMapper(), environment);
            out.printf("profile %s is valid: '%s', session_ttl %d s%n", path == null ? ProfileSource.DEFAULT : path,
                    profile.title(), profile.sessionTtlSeconds());
            profile.resources().forEach((type, resource) -> out.printf("  resource %s: %s backend%s %s%n", type,
                    resource.backend().profileName(), resource.backend().stateless() ? " (stateless)" : "",
                    resource.config()));
            profile.apis().forEach((key, config) -> out.printf("  api tool %s: %s%n",
                    ApiToolKind.forConfigKey(key).orElseThrow().toolName(), config));
            return 0;
        } catch (ProfileException e) {
            err.println(e.getMessage().substring(0, e.getMessage().indexOf(':')) + ":");
            e.problems().forEach(p -> err.println("  - " + p));
            return 1;
        }
    }
}

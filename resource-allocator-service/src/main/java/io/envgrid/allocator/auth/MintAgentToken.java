package io.envgrid.allocator.auth;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Mints one host's agent token ({@link AgentTokens}) outside the running allocator, as a plain {@code main} that needs
 * only the JDK: the init container of each device-agent pod runs it from the allocator's image
 * ({@code java -cp '/deployments/app/*' io.envgrid.allocator.auth.MintAgentToken <key file> <agent id> <token file>},
 * k8s/README.md "Credentials"), so that the agent-token key is mounted in that init container alone and the agent
 * itself holds only the token for its own id.
 *
 * <p>The key file is read as the allocator reads {@code envgrid.allocator.agent-token-key} from the same Secret key
 * (its exact bytes, no trimming). The token is written to a temporary file beside {@code <token file>} with mode
 * 0600, set to 0400 and renamed over it, so a re-run (an init container restarted in the same pod) replaces it whole
 * and the file is never readable by another uid.
 */
public final class MintAgentToken {

    private MintAgentToken() {
    }

    /** Exits 0 when the token was written, 2 for wrong arguments or input (the reason on stderr), 1 for an I/O fault. */
    public static void main(String[] args) {
        System.exit(run(args, System.err));
    }

    /**
     * @param args {@code <key file> <agent id> <token file>}
     * @return the exit status {@link #main} ends with
     */
    static int run(String[] args, PrintStream err) {
        if (args.length != 3) {
            err.println("usage: MintAgentToken <agent-token key file> <agent id> <token file>");
            return 2;
        }
        Path keyFile = Path.of(args[0]);
        Path tokenFile = Path.of(args[2]);
        try {
            String key = new String(Files.readAllBytes(keyFile), StandardCharsets.UTF_8);
            if (key.isBlank()) {
                err.println("the agent-token key in " + keyFile + " is empty");
                return 2;
            }
            String token = new AgentTokens(key).mint(args[1]);
            Path dir = tokenFile.toAbsolutePath().getParent();
            Path temporary = Files.createTempFile(dir, ".agent-token", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temporary, token, StandardCharsets.US_ASCII);
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("r--------"));
                Files.move(temporary, tokenFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temporary);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("cannot mint the agent token: " + e);
            return 1;
        }
    }
}

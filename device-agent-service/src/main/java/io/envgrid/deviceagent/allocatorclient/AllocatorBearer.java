package io.envgrid.deviceagent.allocatorclient;

import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The bearer token the agent presents to the allocator: {@code envgrid.allocator.service-token}, or the content of
 * {@code envgrid.allocator.service-token-file} (trailing whitespace dropped), read once at start. In Kubernetes the
 * file holds this host's agent token, minted by the pod's init container into a memory-backed volume readable by the
 * agent's uid alone (k8s/README.md, "Credentials"); a new token needs a new pod.
 *
 * <p>The agent does not start when both are set (which one counts would be a guess), or when the file is missing,
 * unreadable or empty: an agent told to authenticate never falls back to calling without a token.
 */
@Startup
@Singleton
public class AllocatorBearer {

    private final Optional<String> token;

    /** @throws IllegalStateException for both settings at once, or a file that is missing, unreadable or empty */
    @Inject
    public AllocatorBearer(AllocatorSettings settings) {
        this(settings.serviceToken(), settings.serviceTokenFile());
    }

    /** As above, from the two settings themselves. */
    AllocatorBearer(Optional<String> inline, Optional<Path> file) {
        Optional<String> given = inline.filter(t -> !t.isBlank());
        if (given.isPresent() && file.isPresent()) {
            throw new IllegalStateException("both envgrid.allocator.service-token and envgrid.allocator.service-token-file "
                    + "are set: set one");
        }
        this.token = file.isPresent() ? Optional.of(read(file.get())) : given;
    }

    /** The token, when one is configured. */
    public Optional<String> token() {
        return token;
    }

    private static String read(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
        } catch (IOException e) {
            throw new IllegalStateException("envgrid.allocator.service-token-file " + file + " cannot be read: " + e, e);
        }
        if (content.isEmpty()) {
            throw new IllegalStateException("envgrid.allocator.service-token-file " + file + " is empty");
        }
        return content;
    }
}

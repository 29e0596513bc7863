package io.envgrid.deviceagent.allocatorclient;

import io.smallrye.config.ConfigMapping;
import java.net.URI;
import java.util.Optional;

/** Where the resource allocator answers ({@code ENVGRID_ALLOCATOR_URL}); without it nothing is registered. */
@ConfigMapping(prefix = "envgrid.allocator")
public interface AllocatorSettings {

    Optional<URI> url();

    /**
     * Sent as {@code Authorization: Bearer} when the allocator requires a token: the service token, or this host's
     * agent token {@code eag1.<agent id>.<sig>}. Exclusive with {@link #serviceTokenFile()}.
     */
    Optional<String> serviceToken();

    /**
     * A file holding that bearer token instead (its content, trailing whitespace dropped), read once at start: where
     * Kubernetes' init container writes this host's agent token, so that it is in no environment ({@link AllocatorBearer}).
     */
    Optional<java.nio.file.Path> serviceTokenFile();
}

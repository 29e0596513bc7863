package io.envgrid.deviceagent.allocatorclient;

import io.smallrye.config.ConfigMapping;
import java.net.URI;
import java.util.Optional;

/** Where the resource allocator answers ({@code ENVGRID_ALLOCATOR_URL}); without it nothing is registered. */
@ConfigMapping(prefix = "envgrid.allocator")
public interface AllocatorSettings {

    Optional<URI> url();

    /** Sent as {@code Authorization: Bearer} when the allocator requires a service token. */
    Optional<String> serviceToken();
}

package io.envgrid.gateway.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Base URLs of the services the gateway calls; in-cluster names fixed by the deployment (docs/design.md). These
 * settings are the only addresses the gateway's service token may go to ({@link #isConfigured}): the endpoints of
 * resource records ({@code base_url}, {@code agent_url}, …) were written by whoever registered the resource.
 */
@ApplicationScoped
public class Backends {

    private final String allocator;
    private final String vmController;
    private final String rag;
    private final Optional<String> serviceToken;

    public Backends(@ConfigProperty(name = "envgrid.allocator.url") String allocator,
            @ConfigProperty(name = "envgrid.vm-controller.url") String vmController,
            @ConfigProperty(name = "envgrid.rag.url") String rag,
            @ConfigProperty(name = "envgrid.allocator.service-token") Optional<String> serviceToken) {
        this.allocator = trim(allocator);
        this.vmController = trim(vmController);
        this.rag = trim(rag);
        this.serviceToken = serviceToken.filter(t -> !t.isBlank());
    }

    /**
     * The bearer token envgrid's services accept from each other (the allocator's, the device agents' exemption);
     * {@code client/Downstream} sends it only where a call site's {@code Credential} asks and the address is configured.
     */
    public Optional<String> serviceToken() {
        return serviceToken;
    }

    /**
     * Whether {@code url} is on one of the configured backends: its base URL exactly, or a path under it. A URL
     * that only starts with the same characters ({@code http://rag:8084.evil/…}, {@code http://rag:84840/…}) is not.
     */
    public boolean isConfigured(String url) {
        for (String base : List.of(allocator, vmController, rag)) {
            if (url.equals(base) || url.startsWith(base + "/") || url.startsWith(base + "?")) {
                return true;
            }
        }
        return false;
    }

    private static String trim(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public String allocator() {
        return allocator;
    }

    public String vmController() {
        return vmController;
    }

    /** The shared rag backend, used when the worker holds no rag lease of its own. */
    public String rag() {
        return rag;
    }
}

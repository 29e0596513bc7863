package io.envgrid.gateway.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Base URLs of the services the gateway calls; in-cluster names fixed by the deployment (docs/design.md). */
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

    /** The bearer token envgrid's services accept from each other (the allocator's, the device agents' exemption). */
    public Optional<String> serviceToken() {
        return serviceToken;
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

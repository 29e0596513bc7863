package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.ServiceProbe;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.sandbox.profile.ResourceProfile;
import io.smallrye.mutiny.Uni;

/**
 * Retrieval (seeds 002/003's stateless RAG backend): shared by every worker, no session; warm-up
 * waits for the rag-service to be ready (it loads its model and opens its indexes first). Search
 * goes to the worker's own rag lease when it holds one, else to the shared instance, as
 * {@code rag_search} does; the profile's {@code default_top_k} and {@code mode} fill in what the
 * call leaves out.
 */
final class RagBackend implements SandboxBackend {

    private final ResourceProfile profile;
    private final ServiceProbe probe;
    private final Backends backends;

    RagBackend(ResourceProfile profile, ServiceProbe probe, Backends backends) {
        this.profile = profile;
        this.probe = probe;
        this.backends = backends;
    }

    @Override
    public ResourceProfile profile() {
        return profile;
    }

    /** The profile's {@code default_top_k} and {@code mode} fill in what a search leaves out. */
    @Override
    public ObjectNode toolDefaults() {
        ObjectNode defaults = JsonNodeFactory.instance.objectNode();
        JsonNode config = profile.config();
        if (config.has("default_top_k")) {
            defaults.set("top_k", config.get("default_top_k"));
        }
        if (config.has("mode")) {
            defaults.set("mode", config.get("mode"));
        }
        return defaults;
    }

    @Override
    public Uni<JsonNode> warmup() {
        return probe.ready("rag", backends.rag())
                .map(ready -> JsonNodeFactory.instance.objectNode().put("rag", ready).put("url", backends.rag()));
    }
}

package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.ServiceProbe;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.sandbox.profile.ResourceProfile;
import io.smallrye.mutiny.Uni;
import java.util.List;

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
    private final DelegatedTools delegated;

    RagBackend(ResourceProfile profile, ServiceProbe probe, Backends backends, DelegatedTools delegated) {
        this.profile = profile;
        this.probe = probe;
        this.backends = backends;
        this.delegated = delegated;
    }

    @Override
    public ResourceProfile profile() {
        return profile;
    }

    @Override
    public List<BackendTool> tools() {
        BackendTool search = delegated.delegate("search", "rag_search");
        ObjectNode defaults = profile.config().deepCopy();
        if (defaults.has("default_top_k")) {
            defaults.set("top_k", defaults.remove("default_top_k"));
        }
        return List.of(new BackendTool(search.name(), search.description(), search.inputSchema(), (session, params) -> {
            ObjectNode withDefaults = defaults.deepCopy();
            withDefaults.setAll(params);
            return search.handler().run(session, withDefaults);
        }));
    }

    @Override
    public Uni<JsonNode> warmup() {
        return probe.ready("rag", backends.rag())
                .map(ready -> JsonNodeFactory.instance.objectNode().put("rag", ready).put("url", backends.rag()));
    }
}

package io.envgrid.gateway.sandbox.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.sandbox.backend.SandboxBackend;
import io.envgrid.gateway.sandbox.backend.SessionBackend;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Seed 002's warm-up, per replica: a backend is warmed up explicitly ({@code POST /warmup}) or
 * before its first call, once; concurrent first calls share one attempt; a failed attempt is
 * reported and the next call tries again.
 */
@ApplicationScoped
public class WarmUps {

    private record State(boolean warmedUp, JsonNode details, String error, Instant at) {
    }

    private final SandboxCatalog catalog;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Map<String, Uni<JsonNode>> attempts = new ConcurrentHashMap<>();

    public WarmUps(SandboxCatalog catalog) {
        this.catalog = catalog;
    }

    /** Completes once the backend is warm; fails with the warm-up's failure. */
    public Uni<Void> ensure(SandboxBackend backend) {
        State state = states.get(backend.profile().resourceType());
        return state != null && state.warmedUp() ? Uni.createFrom().voidItem() : attempt(backend).replaceWithVoid();
    }

    private Uni<JsonNode> attempt(SandboxBackend backend) {
        String type = backend.profile().resourceType();
        return attempts.computeIfAbsent(type, t -> Uni.createFrom().deferred(backend::warmup)
                .invoke(details -> states.put(t, new State(true, details, null, Instant.now())))
                .onFailure().invoke(e -> states.put(t, new State(false, null, e.getMessage(), Instant.now())))
                .eventually(() -> {
                    attempts.remove(t);
                })
                .memoize().indefinitely());
    }

    /** Warms up the named backends (all when none are named); one failing does not stop the others. */
    public Uni<ObjectNode> warmUp(List<String> resourceTypes) {
        List<SandboxBackend> chosen = resourceTypes == null || resourceTypes.isEmpty()
                ? List.copyOf(catalog.backends().values())
                : resourceTypes.stream().map(t -> catalog.backend(t).orElseThrow(() -> ToolFailure.invalid(
                        "no backend '" + t + "'; configured: " + catalog.backends().keySet()))).toList();
        if (chosen.isEmpty()) {
            return Uni.createFrom().item(status());
        }
        return Uni.join().all(chosen.stream().map(b -> attempt(b).replaceWithVoid().onFailure().recoverWithNull()).toList())
                .andCollectFailures().map(done -> status());
    }

    /** {@code {"backends": {type: {loaded, warmed_up, stateless, details | error, at}}}}, the Sandbox API's warm-up report. */
    public ObjectNode status() {
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        ObjectNode all = answer.putObject("backends");
        catalog.backends().forEach((type, backend) -> {
            State state = states.get(type);
            ObjectNode entry = all.putObject(type).put("loaded", true)
                    .put("warmed_up", state != null && state.warmedUp())
                    // stateless: its calls need no session (rag's, unless its profile leases a collection)
                    .put("stateless", !(backend instanceof SessionBackend stateful) || !stateful.temporarySessions())
                    .put("backend", backend.profile().backend().profileName());
            if (state != null) {
                if (state.details() != null) {
                    entry.set("details", state.details());
                }
                if (state.error() != null) {
                    entry.put("error", state.error());
                }
                entry.put("at", state.at().toString());
            }
        });
        return answer;
    }
}

package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.allocation.Allocations;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.client.ServiceProbe;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import io.envgrid.gateway.lease.WorkerCleanup;
import io.envgrid.gateway.sandbox.profile.ResourceProfile;
import io.smallrye.mutiny.Uni;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Retrieval (seeds 002/003's RAG backend). Its config's {@code collection} (the profile's, or a session's
 * {@code /session/create} config) decides what a session holds: a collection the allocator offers for lease (a
 * {@code rag*} resource labelled {@code collection=<name>}) is leased when the session opens, as the desktop backend
 * leases its desktop (same allocation, lease length, wait, keep-alive, release and codes: a collection another worker
 * holds is 409 {@code INSUFFICIENT_RESOURCES}, or waited for with {@code wait_ms}); no collection, or one nobody can
 * lease, and the session holds nothing. Search is {@code rag_search}: in a session it searches the session's
 * collection unless the call names another, so it goes to that lease's {@code base_url} with its token; outside one
 * it is the shared backend of the seeds (the worker's own rag lease when it holds one, else the shared instance).
 * Only a profile naming a collection opens temporary sessions for calls outside a session; without one the backend
 * stays stateless. Warm-up waits for the rag-service to be ready (it loads its model and opens its indexes first).
 */
final class RagBackend extends LeasedBackend {

    private final AllocatorApi allocator;
    private final ServiceProbe probe;
    private final Backends backends;

    RagBackend(ResourceProfile profile, Allocations allocations, WorkerCleanup cleanup, AllocatorApi allocator,
            ServiceProbe probe, Backends backends) {
        super(profile, allocations, cleanup, allocator);
        this.allocator = allocator;
        this.probe = probe;
        this.backends = backends;
    }

    /**
     * What a search leaves out, from the session's config (the profile's merged with the session's own; the profile's
     * outside a session): {@code default_top_k} as {@code top_k}, {@code mode}, and the session's collection (the
     * leased one, which {@link #prepare} checked the grant is). The call's own arguments always win; what is filled in
     * passes the tool's argument check before the search runs (SandboxExecutor).
     */
    @Override
    public ObjectNode sessionArguments(SessionContext session) {
        JsonNode config = session.config() != null ? session.config() : profile().config();
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        if (config.has("default_top_k")) {
            arguments.set("top_k", config.get("default_top_k"));
        }
        if (config.has("mode")) {
            arguments.set("mode", config.get("mode"));
        }
        if (session.config() != null) {
            collectionOf(session.config()).ifPresent(c -> arguments.put("collection", c));
        }
        return arguments;
    }

    /** {@code default_top_k} and {@code mode} come from the worker's config. */
    @Override
    public boolean configSuppliesArguments() {
        return true;
    }

    @Override
    public boolean temporarySessions() {
        return collectionOf(profile().config()).isPresent();
    }

    /** Nothing to refuse: any collection name may be asked for, and one nobody can lease is simply not leased. */
    @Override
    void checkLeased(ObjectNode config) {
    }

    /**
     * The allocator type of the named collection's resources, when the allocator offers it for lease; empty when the
     * config names none or nobody can lease it. The allocator grants by type, so a session can lease a collection only
     * when that type's pool is the collection's alone: otherwise 409 {@code COLLECTION_NOT_LEASABLE} before anything is
     * leased.
     */
    @Override
    Uni<Optional<String>> leasedType(ObjectNode config) {
        Optional<String> named = collectionOf(config);
        if (named.isEmpty() || !IdRule.isId(named.get())) {
            // a name outside the id rule cannot be a label value, so nothing offers it for lease
            return Uni.createFrom().item(Optional.empty());
        }
        String collection = named.get();
        return allocator.resourcesLabelled("collection", collection).chain(offered -> {
            Set<String> types = new TreeSet<>();
            offered.forEach(r -> {
                if (isRag(r)) {
                    types.add(r.path("type").asText());
                }
            });
            if (types.isEmpty()) {
                return Uni.createFrom().item(Optional.<String>empty());
            }
            if (types.size() > 1) {
                throw notLeasable(collection, "it is offered under several types " + types);
            }
            String type = types.iterator().next();
            return allocator.resourcesOfType(type).map(pool -> {
                Set<String> others = new TreeSet<>();
                pool.forEach(r -> {
                    String other = r.path("labels").path("collection").asText("");
                    if (!collection.equals(other)) {
                        others.add(other.isEmpty() ? r.path("id").asText() : other);
                    }
                });
                if (!others.isEmpty()) {
                    throw notLeasable(collection, "its type '" + type + "' also offers " + others);
                }
                return Optional.of(type);
            });
        });
    }

    /**
     * Checks the grant is the collection asked for: the pool was the collection's alone when it was read, but a
     * registration may have come in between; a grant of another collection goes back (the caller's failure path).
     */
    @Override
    Uni<Void> prepare(String workerId, JsonNode resource, ObjectNode config) {
        String collection = collectionOf(config).orElseThrow();
        if (!collection.equals(resource.path("collection").asText())) {
            return Uni.createFrom().failure(notLeasable(collection, "the allocator granted '"
                    + resource.path("id").asText() + "' of another collection (its pool changed meanwhile)"));
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<JsonNode> warmup() {
        return probe.ready("rag", backends.rag())
                .map(ready -> JsonNodeFactory.instance.objectNode().put("rag", ready).put("url", backends.rag()));
    }

    /** The config's collection; an empty string (an unset {@code ${VAR:-}}) names none. */
    private static Optional<String> collectionOf(JsonNode config) {
        return Optional.ofNullable(config.path("collection").asText(null)).filter(c -> !c.isEmpty());
    }

    /** A rag resource, as {@code rag_search} tells them: its type starts with {@code rag}. */
    private static boolean isRag(JsonNode resource) {
        return resource.path("type").asText().startsWith("rag");
    }

    private static ToolFailure notLeasable(String collection, String why) {
        return new ToolFailure(409, ErrorCode.COLLECTION_NOT_LEASABLE, "collection '" + collection
                + "' cannot be leased for a session: " + why + ", and the allocator leases by type", Map.of("collection",
                        collection));
    }
}

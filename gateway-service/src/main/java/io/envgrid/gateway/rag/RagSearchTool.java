package io.envgrid.gateway.rag;

import io.envgrid.gateway.tool.ToolScope;
import io.envgrid.gateway.tool.ToolAnnotations;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.client.RagApi;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.tool.Args;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rag_search}: searches the rag instance the worker was granted (its {@code base_url} and
 * collection), or the shared rag backend when the worker holds none (seeds 002/003: a stateless
 * backend shared by every worker). The collection is always named in the request: the call's, else
 * the worker's granted one, else {@code envgrid.gateway.rag.default-collection} (rag-service's own
 * default), so a search that names none is checked exactly as one naming that collection. The search
 * carries the worker's lease token for the rag lease it uses ({@code X-Envgrid-Lease-Token}) and never
 * the gateway's service token; a collection that the allocator offers for lease and the worker does
 * not hold is refused (409 {@code LEASE_NOT_LIVE}) before rag-service is asked.
 */
@Singleton
public class RagSearchTool extends BaseTool {

    private static final ToolSpec SPEC = new ToolSpec("rag_search",
            "Search documents: {query, top_k (1-100, default 5), mode (hybrid | bm25 | dense, default hybrid), "
                    + "collection, filters (metadata equality)}. Answers {results: [{id, score, text, metadata}], took_ms}. "
                    + "Uses the worker's rag resource when it holds one.",
            Schema.object().workerId()
                    .string("query", "What to search for", true)
                    .integer("top_k", "How many results (default 5)", false, 1, 100)
                    .enumeration("mode", "Ranking (default hybrid)", false, "hybrid", "bm25", "dense")
                    .string("collection", "Collection to search (default: the granted one, else the backend's default)", false)
                    .freeObject("filters", "Metadata field -> required value", false)
                    .build(),
            Schema.output().typed("results", "[{id, score, text, metadata}], best first", true, "array").build(),
            ToolAnnotations.READ, ToolScope.NONE, false, "rag:search");

    private final RagApi rag;
    private final WorkerResources resources;
    private final Backends backends;
    private final AllocatorApi allocator;
    private final String defaultCollection;

    public RagSearchTool(RagApi rag, WorkerResources resources, Backends backends, AllocatorApi allocator,
            GatewayConfig config) {
        super(SPEC);
        this.defaultCollection = config.rag().defaultCollection();
        this.allocator = allocator;
        this.rag = rag;
        this.resources = resources;
        this.backends = backends;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        Args args = call.args();
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("query", args.string("query"));
        request.put("top_k", args.integer("top_k", 5));
        Optional.ofNullable(args.optionalString("mode")).ifPresent(m -> request.put("mode", m));
        Optional.ofNullable(args.optionalObject("filters")).ifPresent(f -> request.set("filters", f));
        String named = args.optionalString("collection");
        Uni<List<JsonNode>> held = call.workerId() == null ? Uni.createFrom().item(List.of())
                : resources.all(call.workerId()).map(RagSearchTool::grantedRags);
        return held.chain(rags -> {
            // Always sent by name: a search that names none is the search of the collection rag would pick, and is
            // held to the same lease check as one that names it.
            String collection = named != null ? named : rags.stream().map(RagSearchTool::collectionOf)
                    .flatMap(Optional::stream).findFirst().orElse(defaultCollection);
            request.put("collection", collection);
            Optional<JsonNode> lease = rags.stream().filter(r -> collectionOf(r).filter(collection::equals).isPresent())
                    .findFirst();
            if (lease.isPresent()) {
                // the worker's own token for the lease it searches; rag-service checks it
                return rag.search(lease.get().path("base_url").asText(), request, lease);
            }
            // a collection the worker holds no lease of: searchable only when nobody can lease it, and then with no
            // credential at all, so rag-service itself refuses it should it be leased after all
            return offeredForLease(collection).chain(leased -> {
                if (leased) {
                    return Uni.createFrom().failure(notHeld(collection));
                }
                return rag.search(rags.stream().findFirst().map(r -> r.path("base_url").asText()).orElse(backends.rag()),
                        request, Optional.empty());
            });
        }).map(ToolResult::of);
    }

    private static Optional<String> collectionOf(JsonNode rag) {
        return Optional.ofNullable(rag.path("collection").asText(null));
    }

    /** True when the allocator offers a rag resource for this collection (a label the id rule allows). */
    private Uni<Boolean> offeredForLease(String collection) {
        if (!IdRule.isId(collection)) {
            return Uni.createFrom().item(false);
        }
        return allocator.resourcesLabelled("collection", collection).map(list -> {
            for (JsonNode resource : list) {
                if (resource.path("type").asText().startsWith("rag")) {
                    return true;
                }
            }
            return false;
        });
    }

    /** The one answer for a leased collection the worker does not hold, whoever holds it (docs/isolation.md). */
    private static ToolFailure notHeld(String collection) {
        return new ToolFailure(409, ErrorCode.LEASE_NOT_LIVE, "no live lease of this worker covers collection '"
                + collection + "'", Map.of("collection", collection));
    }

    /** The worker's rag leases that name an instance (type {@code rag*}, as the collections resource reads them). */
    private static List<JsonNode> grantedRags(Map<String, JsonNode> held) {
        return held.values().stream().filter(e -> e.path("type").asText().startsWith("rag") && e.hasNonNull("base_url"))
                .toList();
    }
}

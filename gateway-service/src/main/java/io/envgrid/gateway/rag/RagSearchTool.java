package io.envgrid.gateway.rag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.RagApi;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.tool.Args;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rag_search}: searches the rag instance the worker was granted (its {@code base_url} and
 * collection), or the shared rag backend when the worker holds none (seeds 002/003: a stateless
 * backend shared by every worker).
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
            false, false);

    private final RagApi rag;
    private final WorkerResources resources;
    private final Backends backends;

    public RagSearchTool(RagApi rag, WorkerResources resources, Backends backends) {
        super(SPEC);
        this.rag = rag;
        this.resources = resources;
        this.backends = backends;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        Args args = call.args();
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("query", args.string("query"));
        request.put("top_k", args.integer("top_k", 5, 1, 100));
        Optional.ofNullable(args.optionalString("mode")).ifPresent(m -> request.put("mode", m));
        Optional.ofNullable(args.optionalObject("filters")).ifPresent(f -> request.set("filters", f));
        String collection = args.optionalString("collection");
        Uni<Optional<JsonNode>> granted = call.workerId() == null ? Uni.createFrom().item(Optional.empty())
                : resources.all(call.workerId()).map(RagSearchTool::grantedRag);
        return granted.chain(rag -> {
            String baseUrl = rag.map(r -> r.path("base_url").asText(null)).orElse(backends.rag());
            String target = collection != null ? collection : rag.map(r -> r.path("collection").asText(null)).orElse(null);
            if (target != null) {
                request.put("collection", target);
            }
            return this.rag.search(baseUrl, request);
        }).map(ToolResult::of);
    }

    private static Optional<JsonNode> grantedRag(Map<String, JsonNode> held) {
        return held.values().stream().filter(e -> "rag".equals(e.path("type").asText()) && e.hasNonNull("base_url"))
                .findFirst();
    }
}

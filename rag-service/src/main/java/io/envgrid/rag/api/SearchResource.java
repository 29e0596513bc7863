package io.envgrid.rag.api;

import io.envgrid.rag.access.CollectionAccess;
import io.envgrid.rag.access.Credentials;
import io.envgrid.rag.config.RagConfig;
import io.envgrid.rag.error.ApiException;
import io.envgrid.rag.index.CollectionIndex;
import io.envgrid.rag.index.CollectionRegistry;
import io.envgrid.rag.search.Retriever;
import io.envgrid.rag.search.Snippets;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Retrieval: the one call agents make through the gateway's rag_search tool. Open on a collection nobody leases; a
 * leased one takes its live lease token or the service token ({@link CollectionAccess#read}).
 */
@Path("/search")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "search")
public class SearchResource {

    private final CollectionRegistry registry;
    private final CollectionAccess access;
    private final RagConfig config;

    public SearchResource(CollectionRegistry registry, CollectionAccess access, RagConfig config) {
        this.registry = registry;
        this.access = access;
        this.config = config;
    }

    @POST
    @Operation(summary = "Rank a collection's documents for a query (bm25, dense or hybrid), with metadata filters; each result carries a snippet with the query terms marked <em>…</em>")
    @APIResponse(responseCode = "400", description = "INVALID_PARAMETERS: no body, no or too long a query, top_k out "
            + "of range, an unknown mode, bad filters; INVALID_ID: the collection name is outside its rule "
            + "(details.rule)")
    @APIResponse(responseCode = "404", description = "COLLECTION_NOT_FOUND: no collection of that name")
    public SearchResponse search(
            @Parameter(description = DocumentsResource.AUTHORIZATION_DOC) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Parameter(description = DocumentsResource.LEASE_TOKEN_DOC) @HeaderParam(Credentials.LEASE_TOKEN_HEADER) String leaseToken,
            SearchRequest request) {
        if (request == null) {
            throw ApiException.badRequest("request body is required");
        }
        long began = System.nanoTime();
        String collection = request.collectionOr(config.defaultCollection());
        String query = request.validQuery();
        int topK = request.topKOrDefault();
        var mode = request.modeOrDefault();
        var filters = Validation.filters(request.filters());
        CollectionIndex index = registry.get(collection);
        access.read(collection, authorization, leaseToken);
        Retriever.Ranking ranking = Retriever.rank(index, mode, query, topK, filters);
        Snippets snippets = new Snippets(ranking.terms().terms());
        var results = ranking.hits().stream().map(hit -> SearchResult.of(hit, snippets)).toList();
        return new SearchResponse(results, (System.nanoTime() - began) / 1_000_000);
    }
}

package io.envgrid.rag.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.rag.access.CollectionAccess;
import io.envgrid.rag.access.Credentials;
import io.envgrid.rag.config.RagConfig;
import io.envgrid.rag.error.ApiException;
import io.envgrid.rag.error.ErrorCode;
import io.envgrid.rag.index.CollectionIndex;
import io.envgrid.rag.index.CollectionNames;
import io.envgrid.rag.index.CollectionRegistry;
import io.envgrid.rag.index.Document;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Collections and their documents. A collection comes into being with its first document. A batch is
 * checked whole before anything is written, so a bad line leaves the collection as it was. Every write is let
 * through by {@link CollectionAccess} first: the service token, or the live lease token of a leased collection.
 */
@Path("/collections")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "collections")
public class DocumentsResource {

    static final String JSON_LINES = "application/x-ndjson";
    static final String MARKDOWN = "text/markdown";

    /** The two credentials a call may carry, as the OpenAPI document describes them (docs/isolation.md). */
    static final String AUTHORIZATION_DOC = "'Bearer <service token>': an envgrid service or operator, allowed everything";
    static final String LEASE_TOKEN_DOC = "the live lease token of this collection's allocator resource rag:<instance>:<name>;"
            + " required to read or write a leased collection without the service token";

    private final CollectionRegistry registry;
    private final CollectionAccess access;
    private final RagConfig config;
    private final ObjectMapper json;

    public DocumentsResource(CollectionRegistry registry, CollectionAccess access, RagConfig config, ObjectMapper json) {
        this.registry = registry;
        this.access = access;
        this.config = config;
        this.json = json;
    }

    @GET
    @Operation(summary = "List collections with their document counts")
    public List<CollectionSummary> list() {
        return registry.documentCounts().entrySet().stream()
                .map(entry -> new CollectionSummary(entry.getKey(), entry.getValue())).toList();
    }

    @POST
    @Path("{name}/documents")
    @Consumes({JSON_LINES, "application/jsonl"})
    @Operation(summary = "Add or replace documents in bulk, one JSON object {id, text, title?, metadata?} per line")
    @APIResponse(responseCode = "400", description = "INVALID_ID: the collection name is outside its rule "
            + "(details.rule); INVALID_DOCUMENT: a line that is no document or breaks the limits (details.line); "
            + "INVALID_PARAMETERS: no documents, or more in one batch than allowed")
    public IngestResponse ingestJsonLines(
            @Parameter(schema = @Schema(type = SchemaType.STRING, pattern = CollectionNames.RULE)) @PathParam("name") String name,
            @Parameter(description = AUTHORIZATION_DOC) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Parameter(description = LEASE_TOKEN_DOC) @HeaderParam(Credentials.LEASE_TOKEN_HEADER) String leaseToken,
            @RequestBody(description = "JSON lines: one DocumentInput per line. text/plain or text/markdown: the text of one"
                    + " document, whose id (and title) are query parameters", content = {
                    @Content(mediaType = JSON_LINES, schema = @Schema(implementation = DocumentInput.class)),
                    @Content(mediaType = "application/jsonl", schema = @Schema(implementation = DocumentInput.class))}) String body) {
        Validation.requireCollection(name);
        access.write(name, registry.exists(name), authorization, leaseToken);
        return ingest(name, parseJsonLines(body));
    }

    @POST
    @Path("{name}/documents")
    @Consumes({MediaType.TEXT_PLAIN, MARKDOWN})
    @Operation(summary = "Add or replace one plain-text or Markdown document; a Markdown '# heading' on the first line is its title")
    @APIResponse(responseCode = "400", description = "INVALID_ID: the collection name or the document id is outside "
            + "its rule (details.rule); INVALID_DOCUMENT: a document that breaks the limits (text, title)")
    public IngestResponse ingestText(
            @Parameter(schema = @Schema(type = SchemaType.STRING, pattern = CollectionNames.RULE)) @PathParam("name") String name,
            @Parameter(schema = @Schema(type = SchemaType.STRING, pattern = Limits.DOCUMENT_ID_RULE)) @QueryParam("id") String id,
            @Parameter(schema = @Schema(type = SchemaType.STRING, maxLength = Limits.MAX_TITLE_CHARS)) @QueryParam("title") String title,
            @Parameter(description = AUTHORIZATION_DOC) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Parameter(description = LEASE_TOKEN_DOC) @HeaderParam(Credentials.LEASE_TOKEN_HEADER) String leaseToken,
            String body) {
        Validation.requireCollection(name);
        access.write(name, registry.exists(name), authorization, leaseToken);
        String text = body == null ? "" : body.strip();
        return ingest(name, List.of(checked(new DocumentInput(id, text, title == null ? heading(text) : title, null), 1)));
    }

    /** A first line "# heading" is the title, unless it is too long to be one (then it stays text only). */
    private static String heading(String text) {
        if (!text.startsWith("# ")) {
            return null;
        }
        String heading = text.lines().findFirst().orElseThrow().substring(2).strip();
        return heading.length() <= Limits.MAX_TITLE_CHARS ? heading : null;
    }

    @PUT
    @Path("{name}/documents/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace one document, or add it if the id is new")
    @APIResponse(responseCode = "400", description = "INVALID_ID: the collection name or the document id is outside "
            + "its rule (details.rule); INVALID_PARAMETERS: no body, or a body id other than the path's; "
            + "INVALID_DOCUMENT: a document that breaks the limits")
    public IngestResponse put(
            @Parameter(schema = @Schema(type = SchemaType.STRING, pattern = CollectionNames.RULE)) @PathParam("name") String name,
            @Parameter(schema = @Schema(type = SchemaType.STRING, pattern = Limits.DOCUMENT_ID_RULE)) @PathParam("id") String id,
            @Parameter(description = AUTHORIZATION_DOC) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Parameter(description = LEASE_TOKEN_DOC) @HeaderParam(Credentials.LEASE_TOKEN_HEADER) String leaseToken,
            DocumentInput input) {
        Validation.requireCollection(name);
        Validation.requireDocumentId(id);
        access.write(name, registry.exists(name), authorization, leaseToken);
        if (input == null) {
            throw ApiException.badRequest("request body is required");
        }
        if (input.id() != null && !input.id().equals(id)) {
            throw ApiException.badRequest("'id' in the body (" + Validation.echo(input.id()) + ") differs from the path (" + id + ")");
        }
        return ingest(name, List.of(checked(new DocumentInput(id, input.text(), input.title(), input.metadata()), 1)));
    }

    @DELETE
    @Path("{name}/documents/{id}")
    @Operation(summary = "Delete one document and all its chunks")
    @APIResponse(responseCode = "400", description = "INVALID_ID: the collection name or the document id is outside "
            + "its rule (details.rule)")
    @APIResponse(responseCode = "404", description = "COLLECTION_NOT_FOUND: no collection of that name; "
            + "DOCUMENT_NOT_FOUND: no document of that id in it")
    public RestResponse<Void> delete(
            @Parameter(schema = @Schema(type = SchemaType.STRING, pattern = CollectionNames.RULE)) @PathParam("name") String name,
            @Parameter(schema = @Schema(type = SchemaType.STRING, pattern = Limits.DOCUMENT_ID_RULE)) @PathParam("id") String id,
            @Parameter(description = AUTHORIZATION_DOC) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Parameter(description = LEASE_TOKEN_DOC) @HeaderParam(Credentials.LEASE_TOKEN_HEADER) String leaseToken) {
        Validation.requireCollection(name);
        Validation.requireDocumentId(id);
        CollectionIndex index = registry.get(name);
        access.write(name, true, authorization, leaseToken);
        if (!index.delete(id)) {
            throw new ApiException(404, ErrorCode.DOCUMENT_NOT_FOUND, "no document '" + id + "' in collection '" + name + "'",
                    Map.of("collection", name, "id", id));
        }
        return RestResponse.noContent();
    }

    private IngestResponse ingest(String name, List<Document> documents) {
        int chunks = registry.getOrCreate(name).upsert(documents);
        return new IngestResponse(name, documents.size(), chunks);
    }

    private List<Document> parseJsonLines(String body) {
        List<Document> documents = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<String> lines = body == null ? List.of() : body.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            int lineNumber = i + 1;
            DocumentInput input;
            try {
                input = json.readValue(lines.get(i), DocumentInput.class);
            } catch (JsonProcessingException e) {
                throw invalidDocument(lineNumber, "not a JSON object {id, text, title?, metadata?}: " + e.getOriginalMessage());
            }
            Document document = checked(input, lineNumber);
            if (!ids.add(document.id())) {
                throw invalidDocument(lineNumber, "id '" + document.id() + "' appears twice in this batch");
            }
            documents.add(document);
            // Checked as the lines come, so a body of a million tiny documents is refused after the first few thousand.
            if (documents.size() > config.maxBatchDocuments()) {
                throw ApiException.badRequest("batch has more than " + config.maxBatchDocuments() + " documents");
            }
        }
        if (documents.isEmpty()) {
            throw ApiException.badRequest("no documents: send one JSON object per line");
        }
        return documents;
    }

    private static Document checked(DocumentInput input, int lineNumber) {
        if (input == null) {
            throw invalidDocument(lineNumber, "a document must be a JSON object");
        }
        String problem = input.problem();
        if (problem != null) {
            throw invalidDocument(lineNumber, problem);
        }
        return input.toDocument();
    }

    private static ApiException invalidDocument(int line, String reason) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("line", line);
        details.put("reason", reason);
        return new ApiException(400, ErrorCode.INVALID_DOCUMENT, "document on line " + line + " is invalid: " + reason
                + "; nothing was written", details);
    }
}

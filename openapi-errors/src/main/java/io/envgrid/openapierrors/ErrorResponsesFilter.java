package io.envgrid.openapierrors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.examples.Example;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * The error responses of a service's OpenAPI document, written once per service. A service subclasses this filter,
 * lists the refusals all (or a known set) of its routes share in {@link #sharedErrors()}, and registers the subclass
 * with {@code @OpenApiFilter(stages = RUNTIME_PER_REQUEST)} (naming {@code OASFilter} among its own interfaces, which
 * Quarkus requires of such a class); the routes name only their own refusals, as
 * {@code @APIResponse(responseCode = "404", description = "RESOURCE_NOT_FOUND: no resource of that id")}.
 *
 * <p>Over the whole document, this filter:
 * <ul>
 * <li>adds the envelope's schema, {@value #SCHEMA}: {@code {"error": {code, message, details, timestamp}}} (plus
 * {@link #envelopeExtras()});</li>
 * <li>adds each shared error to the operations it applies to: a new response for its status, or one more clause of
 * the description of the response the route already declares for that status;</li>
 * <li>completes every 4xx and 5xx response: an {@code application/json} content when it has none, whose schema is
 * the envelope when none is named, with one example per code its description names that no example shows yet.</li>
 * </ul>
 *
 * <p>An error response's description is one or more clauses {@code CODE: why} (or {@code CODE / CODE2: why}),
 * separated by {@code "; "}; the why is the example's message. An error response that names no code and shows no
 * example is left without one: the filter runs in the service (on each request for the document), where a gap in
 * the documentation must not fail the request; each service's {@code
 * ServiceEndpointsTest} reports such a response instead.
 *
 * <p>Native-ready: Quarkus registers an {@code @OpenApiFilter} class for reflection itself; this class reads nothing
 * reflectively.
 */
public abstract class ErrorResponsesFilter implements OASFilter {

    /** The name of the envelope's schema under {@code components.schemas}. */
    public static final String SCHEMA = "ErrorEnvelope";
    /** The reference every error response's content makes to the envelope. */
    public static final String REF = "#/components/schemas/" + SCHEMA;
    /** The timestamp of every generated example (a fixed one: the document is the same on every build). */
    static final String EXAMPLE_TIMESTAMP = "2026-01-01T00:00:00Z";

    private static final String CODES = "[A-Z][A-Z0-9_]*(?:\\s*/\\s*[A-Z][A-Z0-9_]*)*";
    private static final Pattern CLAUSE = Pattern.compile("(" + CODES + "):\\s*(.*)", Pattern.DOTALL);
    private static final Pattern CLAUSE_BREAK = Pattern.compile(";\\s+(?=" + CODES + ":)");
    /** The code of an example given as JSON text (SmallRye keeps an annotation's example value as parsed JSON). */
    private static final Pattern TEXT_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([A-Z][A-Z0-9_]*)\"");

    /** One refusal that several routes of a service share, and which routes those are. */
    public record SharedError(String status, String code, String why, RouteFilter applies) {

        /** A refusal every route of the service can answer. */
        public static SharedError everywhere(int status, String code, String why) {
            return new SharedError(Integer.toString(status), code, why, route -> true);
        }

        /** A refusal of the routes that read a request body (those whose operation declares one). */
        public static SharedError withBody(int status, String code, String why) {
            return new SharedError(Integer.toString(status), code, why, Route::hasBody);
        }

        /** A refusal of the routes {@code applies} selects. */
        public static SharedError where(RouteFilter applies, int status, String code, String why) {
            return new SharedError(Integer.toString(status), code, why, applies);
        }
    }

    /** Which routes a {@link SharedError} applies to. */
    @FunctionalInterface
    public interface RouteFilter {
        /** True when the route answers that refusal. */
        boolean test(Route route);
    }

    /**
     * One operation of the document: {@code method} upper case ({@code GET}, {@code POST}, …), {@code path} as the
     * document spells it ({@code /resources/{id}}).
     */
    public record Route(String method, String path, Operation operation) {

        /** True when the operation declares a request body. */
        public boolean hasBody() {
            return operation.getRequestBody() != null;
        }

        /** True when the operation's request body may be of {@code mediaType} ({@code application/json}, …). */
        public boolean reads(String mediaType) {
            return hasBody() && operation.getRequestBody().getContent() != null
                    && operation.getRequestBody().getContent().hasMediaType(mediaType);
        }

        /** True when the path is {@code prefix} or lies below it ({@code /sessions} covers {@code /sessions/{id}}). */
        public boolean under(String prefix) {
            return path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
        }
    }

    /** The refusals this service's routes share, in the order their clauses are written. */
    protected abstract List<SharedError> sharedErrors();

    /**
     * Top-level properties some routes add next to {@code error} (the device agent's desktop routes answer OSWorld's
     * fields too); none by default. Each is optional in the schema.
     */
    protected Map<String, Schema> envelopeExtras() {
        return Map.of();
    }

    /**
     * False for a route whose refusals are not the envelope (the gateway's MCP doors answer JSON-RPC errors): it is
     * left as it is. True by default.
     */
    protected boolean answersEnvelope(Route route) {
        return true;
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        Components components = openAPI.getComponents();
        // Replaces a schema of that name the scan made from a service's own ErrorEnvelope record (its body a
        // separate, unnamed-looking component): the one shape, spelled out in one place.
        components.addSchema(SCHEMA, envelopeSchema());
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        List<SharedError> shared = sharedErrors();
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            Map<PathItem.HttpMethod, Operation> operations = path.getValue().getOperations();
            if (operations == null) {
                continue;
            }
            for (Map.Entry<PathItem.HttpMethod, Operation> op : operations.entrySet()) {
                Route route = new Route(op.getKey().name().toUpperCase(Locale.ROOT), path.getKey(), op.getValue());
                if (answersEnvelope(route)) {
                    document(route, shared);
                }
            }
        }
    }

    private void document(Route route, List<SharedError> shared) {
        Operation operation = route.operation();
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        for (SharedError error : shared) {
            if (error.applies().test(route)) {
                addClause(responses, error.status(), error.code(), error.why());
            }
        }
        if (responses.getAPIResponses() == null) {
            return;
        }
        for (Map.Entry<String, APIResponse> response : responses.getAPIResponses().entrySet()) {
            if (isError(response.getKey())) {
                complete(response.getValue());
            }
        }
    }

    private static boolean isError(String status) {
        return status.length() == 3 && (status.charAt(0) == '4' || status.charAt(0) == '5');
    }

    /** Adds {@code CODE: why} to the response of {@code status}, unless it already names that code. */
    private static void addClause(APIResponses responses, String status, String code, String why) {
        String clause = code + ": " + why;
        APIResponse existing = responses.getAPIResponse(status);
        if (existing == null) {
            responses.addAPIResponse(status, OASFactory.createAPIResponse().description(clause));
        } else if (!clauses(existing.getDescription()).containsKey(code)) {
            String description = existing.getDescription();
            existing.setDescription(description == null || description.isBlank() ? clause : description + "; " + clause);
        }
    }

    /** The codes a description names, each with its why (the first clause naming a code wins). */
    static Map<String, String> clauses(String description) {
        Map<String, String> clauses = new LinkedHashMap<>();
        if (description == null) {
            return clauses;
        }
        for (String part : CLAUSE_BREAK.split(description.trim())) {
            Matcher m = CLAUSE.matcher(part.trim());
            if (m.matches()) {
                for (String code : m.group(1).split("\\s*/\\s*")) {
                    clauses.putIfAbsent(code, m.group(2).trim());
                }
            }
        }
        return clauses;
    }

    private static void complete(APIResponse response) {
        if (response.getRef() != null) {
            return; // a shared response component: completed where it is defined, if at all
        }
        Map<String, String> named = clauses(response.getDescription());
        if (response.getContent() == null || response.getContent().getMediaTypes() == null
                || response.getContent().getMediaTypes().isEmpty()) {
            Content content = OASFactory.createContent();
            content.addMediaType("application/json", OASFactory.createMediaType());
            response.setContent(content);
        }
        for (Map.Entry<String, MediaType> media : response.getContent().getMediaTypes().entrySet()) {
            if (!media.getKey().contains("json")) {
                continue;
            }
            MediaType type = media.getValue();
            if (type.getSchema() == null) {
                type.setSchema(OASFactory.createSchema().ref(REF));
            }
            Set<String> exampled = exampleCodes(type);
            for (Map.Entry<String, String> clause : named.entrySet()) {
                if (exampled.add(clause.getKey())) {
                    type.addExample(freeName(type, clause.getKey()), example(clause.getKey(), clause.getValue()));
                }
            }
        }
    }

    /** The codes the media type's examples already show. */
    private static Set<String> exampleCodes(MediaType type) {
        Set<String> codes = new LinkedHashSet<>();
        if (type.getExamples() != null) {
            for (Example example : type.getExamples().values()) {
                codes.addAll(codesIn(example.getValue()));
            }
        }
        if (type.getExample() != null) {
            codes.addAll(codesIn(type.getExample()));
        }
        return codes;
    }

    static List<String> codesIn(Object value) {
        List<String> codes = new ArrayList<>();
        if (value instanceof Map<?, ?> map && map.get("error") instanceof Map<?, ?> error
                && error.get("code") instanceof String code) {
            codes.add(code);
        } else if (value instanceof String text) {
            Matcher m = TEXT_CODE.matcher(text);
            if (m.find()) {
                codes.add(m.group(1));
            }
        }
        return codes;
    }

    private static String freeName(MediaType type, String code) {
        String name = code;
        for (int n = 2; type.getExamples() != null && type.getExamples().containsKey(name); n++) {
            name = code + " " + n;
        }
        return name;
    }

    private static Example example(String code, String why) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", why);
        body.put("details", Map.of());
        body.put("timestamp", EXAMPLE_TIMESTAMP);
        return OASFactory.createExample().summary(why).value(Map.of("error", body));
    }

    private Schema envelopeSchema() {
        Schema body = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .addProperty("code", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .description("stable upper-case name of the refusal (docs/contracts/errors.md)"))
                .addProperty("message", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .description("for people; may change"))
                .addProperty("details", OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                        .description("facts of this refusal, per code; often empty, never absent"))
                .addProperty("timestamp", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .format("date-time").description("when it was refused, ISO-8601"))
                .required(List.of("code", "message", "details", "timestamp"));
        Schema envelope = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("Every refusal and failure of every envgrid service: {\"error\": {code, message, "
                        + "details, timestamp}}, the status following the code")
                .addProperty("error", body)
                .required(List.of("error"));
        envelopeExtras().forEach(envelope::addProperty);
        return envelope;
    }
}

package io.envgrid.openapierrors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.junit.jupiter.api.Test;

class ErrorResponsesFilterTest {

    /** Two shared refusals: one of every route, one of the routes with a body. */
    static class Filter extends ErrorResponsesFilter {
        @Override
        protected List<SharedError> sharedErrors() {
            return List.of(SharedError.everywhere(500, "INTERNAL_ERROR", "a fault"),
                    SharedError.withBody(400, "MALFORMED_JSON", "the body is not JSON"));
        }
    }

    @Test
    void clausesNameTheirCodes() {
        assertEquals(Map.of("NOT_FOUND", "no such thing"), ErrorResponsesFilter.clauses("NOT_FOUND: no such thing"));
        assertEquals(List.of("A", "B", "C"), List.copyOf(ErrorResponsesFilter.clauses(
                "A / B: one; or two; C: three").keySet()));
        assertEquals("one; or two", ErrorResponsesFilter.clauses("A / B: one; or two; C: three").get("B"));
        assertTrue(ErrorResponsesFilter.clauses("Not found").isEmpty());
    }

    @Test
    void sharedAndNamedRefusalsGetTheEnvelopeAndAnExamplePerCode() {
        Operation post = OASFactory.createOperation().requestBody(OASFactory.createRequestBody())
                .responses(OASFactory.createAPIResponses().addAPIResponse("400",
                        OASFactory.createAPIResponse().description("INVALID_ID: the id breaks the rule")));
        Operation get = OASFactory.createOperation();
        OpenAPI doc = OASFactory.createOpenAPI().paths(OASFactory.createPaths()
                .addPathItem("/things", OASFactory.createPathItem().POST(post).GET(get)));

        new Filter().filterOpenAPI(doc);

        assertNotNull(doc.getComponents().getSchemas().get(ErrorResponsesFilter.SCHEMA));
        MediaType bad = post.getResponses().getAPIResponse("400").getContent().getMediaType("application/json");
        assertEquals(ErrorResponsesFilter.REF, bad.getSchema().getRef());
        assertEquals(List.of("INVALID_ID", "MALFORMED_JSON"), List.copyOf(bad.getExamples().keySet()));
        assertEquals(List.of("MALFORMED_JSON"),
                ErrorResponsesFilter.codesIn(bad.getExamples().get("MALFORMED_JSON").getValue()));
        assertEquals("INVALID_ID: the id breaks the rule; MALFORMED_JSON: the body is not JSON",
                post.getResponses().getAPIResponse("400").getDescription());
        assertNotNull(get.getResponses().getAPIResponse("500"));
        assertEquals(null, get.getResponses().getAPIResponse("400"), "no body, no MALFORMED_JSON");
    }

    @Test
    void anErrorResponseWithoutACodeGetsTheEnvelopeButNoExample() {
        Operation get = OASFactory.createOperation().responses(OASFactory.createAPIResponses()
                .addAPIResponse("404", OASFactory.createAPIResponse().description("Not found")));
        OpenAPI doc = OASFactory.createOpenAPI().paths(OASFactory.createPaths()
                .addPathItem("/things", OASFactory.createPathItem().GET(get)));
        new Filter().filterOpenAPI(doc);
        MediaType notFound = get.getResponses().getAPIResponse("404").getContent().getMediaType("application/json");
        assertEquals(ErrorResponsesFilter.REF, notFound.getSchema().getRef());
        assertEquals(null, notFound.getExamples());
    }

    @Test
    void aRouteThatAnswersNoEnvelopeIsLeftAsItIs() {
        Operation rpc = OASFactory.createOperation().responses(OASFactory.createAPIResponses()
                .addAPIResponse("400", OASFactory.createAPIResponse().description("a JSON-RPC parse error")));
        OpenAPI doc = OASFactory.createOpenAPI().paths(OASFactory.createPaths()
                .addPathItem("/rpc", OASFactory.createPathItem().POST(rpc)));
        new Filter() {
            @Override
            protected boolean answersEnvelope(Route route) {
                return !route.under("/rpc");
            }
        }.filterOpenAPI(doc);
        assertEquals(null, rpc.getResponses().getAPIResponse("400").getContent());
        assertEquals(null, rpc.getResponses().getAPIResponse("500"));
    }
}

package io.envgrid.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each kind of failure the shared mappers answer, with its status, code, message and details. */
class ErrorMappersTest {

    /** The shape of the bodies the parse failures below come from. */
    record Wanted(List<Item> items) {
    }

    record Item(int count) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final ErrorMappers mappers = new ErrorMappers(new JsonPathRefusal());

    @Test
    void anApiExceptionKeepsItsStatusCodeMessageAndDetails() {
        Response answer = mappers.api(new ApiException(409, "RESOURCE_LEASED", "leased", Map.of("resource_id", "r1")));

        assertEnvelope(answer, 409, "RESOURCE_LEASED", "leased", Map.of("resource_id", "r1"));
    }

    @Test
    void anApiExceptionWithoutDetailsHasEmptyOnes() {
        Response answer = mappers.api(new ApiException(503, "REDIS_UNAVAILABLE", "down", null));

        assertEnvelope(answer, 503, "REDIS_UNAVAILABLE", "down", Map.of());
    }

    @Test
    void bodyThatIsNoJsonIsMalformedJsonWithTheParsersReason() {
        JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> json.readTree("{\"items\": ["));

        Response answer = mappers.json(e);

        assertEnvelope(answer, 400, CommonCodes.MALFORMED_JSON, "request body is not valid JSON for this endpoint",
                Map.of("reason", e.getOriginalMessage()));
    }

    @Test
    void aWronglyTypedFieldIsNamedByItsPath() {
        MismatchedInputException e = assertThrows(MismatchedInputException.class,
                () -> json.readValue("{\"items\": [{\"count\": \"many\"}]}", Wanted.class));

        Response answer = mappers.mismatched(e);

        assertEnvelope(answer, 400, CommonCodes.MALFORMED_JSON,
                "request body is not valid JSON for this endpoint at 'items.[0].count'",
                Map.of("reason", e.getOriginalMessage()));
    }

    @Test
    void aServicesOwnWordingReplacesTheDefault() {
        MalformedBody toolArguments = new MalformedBody() {
            @Override
            public String code() {
                return "INVALID_PARAMETERS";
            }

            @Override
            public String message(JsonProcessingException e) {
                return "not tool arguments";
            }
        };
        ErrorMappers worded = new ErrorMappers(toolArguments);
        JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> json.readTree("nope"));

        assertEnvelope(worded.json(e), 400, "INVALID_PARAMETERS", "not tool arguments",
                Map.of("reason", e.getOriginalMessage()));
        assertEnvelope(worded.web(new WebApplicationException("bad", 400)), 400, "INVALID_PARAMETERS", "bad", Map.of());
    }

    @Test
    void theHttpLayersRefusalKeepsItsStatusAsHttpError() {
        Response answer = mappers.web(new NotAllowedException("no POST here", "GET", new String[0]));

        assertEnvelope(answer, 405, CommonCodes.HTTP_ERROR, "no POST here", Map.of());
    }

    @Test
    void theHttpLayersBadRequestCausedByTheParserIsAnsweredAsTheParseFailure() {
        JsonProcessingException cause = assertThrows(JsonProcessingException.class, () -> json.readTree("{"));

        Response answer = mappers.web(new WebApplicationException(cause, 400));

        assertEnvelope(answer, 400, CommonCodes.MALFORMED_JSON, "request body is not valid JSON for this endpoint",
                Map.of("reason", cause.getOriginalMessage()));
    }

    @Test
    void theHttpLayersOtherBadRequestIsMalformedJson() {
        Response answer = mappers.web(new WebApplicationException("unreadable", 400));

        assertEnvelope(answer, 400, CommonCodes.MALFORMED_JSON, "unreadable", Map.of());
    }

    @Test
    void anythingElseIsAnInternalErrorThatTellsNothing() {
        Response answer = mappers.unexpected(new IllegalStateException("secret detail"));

        assertEnvelope(answer, 500, CommonCodes.INTERNAL_ERROR, "internal error", Map.of());
    }

    private static void assertEnvelope(Response answer, int status, String code, String message,
            Map<String, Object> details) {
        assertEquals(status, answer.getStatus());
        assertEquals(MediaType.APPLICATION_JSON_TYPE, answer.getMediaType());
        ErrorEnvelope.Body error = ((ErrorEnvelope) answer.getEntity()).error();
        assertEquals(code, error.code());
        assertEquals(message, error.message());
        assertEquals(details, error.details());
    }
}

package io.envgrid.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The envelope's wire shape, as every service writes it (docs/contracts/errors.md). */
class ErrorEnvelopeTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void writesTheContractsShapeFieldForField() throws Exception {
        ErrorEnvelope envelope = new ErrorEnvelope(new ErrorEnvelope.Body("RESOURCE_NOT_FOUND", "no resource 'r1'",
                Map.of("resource_id", "r1"), "2026-12-02T15:00:00Z"));

        assertEquals("{\"error\":{\"code\":\"RESOURCE_NOT_FOUND\",\"message\":\"no resource 'r1'\","
                + "\"details\":{\"resource_id\":\"r1\"},\"timestamp\":\"2026-12-02T15:00:00Z\"}}",
                json.writeValueAsString(envelope));
    }

    @Test
    void ofStampsTheEnvelopeWithNowAsAnIsoInstant() throws Exception {
        Instant before = Instant.now();
        JsonNode written = json.readTree(json.writeValueAsString(ErrorEnvelope.of("X", "why", Map.of())));

        Instant stamped = Instant.parse(written.at("/error/timestamp").asText());
        assertTrue(!stamped.isBefore(before) && Duration.between(before, stamped).toSeconds() < 60, stamped.toString());
        assertEquals("{}", written.at("/error/details").toString());
    }
}

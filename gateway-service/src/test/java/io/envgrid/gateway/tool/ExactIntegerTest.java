package io.envgrid.gateway.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.error.ToolFailure;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A JSON number becomes a whole number exactly or not at all; Jackson's asInt/asLong would truncate each of these. */
class ExactIntegerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void wholeNumbersAreReadExactlyWhateverTheirJsonSpelling() throws Exception {
        assertEquals(OptionalLong.of(3), ExactInteger.of(JSON.readTree("3")));
        assertEquals(OptionalLong.of(3), ExactInteger.of(JSON.readTree("3.0")));
        assertEquals(OptionalLong.of(300), ExactInteger.of(JSON.readTree("3e2")));
        assertEquals(OptionalLong.of(0), ExactInteger.of(JSON.readTree("-0.0")));
        assertEquals(OptionalLong.of(Long.MAX_VALUE), ExactInteger.of(JSON.readTree("9223372036854775807")));
        assertEquals(OptionalLong.of(Long.MIN_VALUE), ExactInteger.of(JSON.readTree("-9223372036854775808")));
    }

    @Test
    void whatIsNotAWholeNumberALongHoldsIsNotReadAtAll() throws Exception {
        for (String json : List.of("99999999999999999999", "9223372036854775808", "1e30", "-1e30", "1.5", "1e400",
                "-1e400", "0.1", "\"1\"", "true", "null", "[1]")) {
            assertTrue(ExactInteger.of(JSON.readTree(json)).isEmpty(), json);
        }
        assertTrue(ExactInteger.of(null).isEmpty());
    }

    @Test
    void aValueOutsideItsRangeIsRefusedNamingItsField() throws Exception {
        JsonNode huge = JSON.readTree("4294967297");
        ToolFailure refused = assertThrows(ToolFailure.class, () -> ExactInteger.within(huge, "config.lease_timeout", 1, 86_400));
        assertEquals(400, refused.status());
        assertEquals("config.lease_timeout", refused.details().get("field"));
        assertTrue(refused.getMessage().contains("4294967297"), refused.getMessage());
        ToolFailure fraction = assertThrows(ToolFailure.class, () -> ExactInteger.within(JSON.readTree("1.5"), "coordinate[1]", 0, 10));
        assertEquals("coordinate[1]", fraction.details().get("field"));
        assertEquals("coordinate", fraction.details().get("argument"));
        assertEquals(7, ExactInteger.within(JSON.readTree("7.0"), "x", 0, 10));
    }
}

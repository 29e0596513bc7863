package io.envgrid.gateway.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What {@link StrictJson} refuses, and how it words the refusal: what was wrong and where, never Jackson's text. */
class StrictJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String problem(byte[] text) {
        IOException refused = assertThrows(IOException.class, () -> StrictJson.reader(JSON).readTree(text),
                new String(text, StandardCharsets.UTF_8));
        return StrictJson.problem(refused);
    }

    @Test
    void namesWhatWasWrongAndWhere() {
        String[][] cases = {
            {"{\"name\":\"a\",\"name\":\"b\"}", "duplicate key \"name\" at line 1, column 19"},
            {"{\"x\":[{\"k\":1},\n {\"k\":1,\n  \"k\":2}]}", "duplicate key \"k\" at line 3, column 6"},
            // the key as read, written back as a JSON string
            {"{\"a\\\"b\":1,\"a\\\"b\":2}", "duplicate key \"a\\\"b\" at line 1, column 17"},
            {"{\"a\":", "unexpected end of input at line 1, column 6"},
            {"[1,2", "unexpected end of input at line 1, column 5"},
            // after a comma Jackson throws no JsonEOFException, but it is the same end of input
            {"{\"a\":1,", "unexpected end of input at line 1, column 8"},
            {"[1,\n", "unexpected end of input at line 2, column 1"},
            {"{not json", "invalid JSON at line 1, column 2"},
            {"{\"a\":tru}", "invalid JSON at line 1, column 6"},
            // Jackson's nesting limit (1000) has no place in its failure
            {"[".repeat(1001), "too deeply nested, or a number, string or key too long"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], problem(c[0].getBytes(StandardCharsets.UTF_8)), c[0]);
        }
    }

    @Test
    void bytesInNoJsonEncodingAreSaidToBeSo() {
        // a UCS-4 byte order mark of an order no JSON encoding has: the reader fails before parsing
        byte[] text = {(byte) 0xFE, (byte) 0xFF, 0, 0, 0, 0, 0, '{'};
        IOException refused = assertThrows(IOException.class, () -> StrictJson.reader(JSON).readTree(text));
        assertEquals(false, refused instanceof JsonProcessingException, refused.toString());
        assertEquals("not UTF-8, UTF-16 or UTF-32 text", StrictJson.problem(refused));
    }
}

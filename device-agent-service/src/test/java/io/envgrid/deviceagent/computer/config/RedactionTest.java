package io.envgrid.deviceagent.computer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What of a server config may leave the host: placeholders as written, every literal in {@code env}, {@code headers}
 * and a URL's credentials masked — a token pasted into a config directly is as secret as one kept in an input.
 */
class RedactionTest {

    @Test
    void literalsAreMaskedAndPlaceholdersKept() {
        assertEquals("${input:tok}", Redaction.value("${input:tok}"));
        assertEquals("******", Redaction.value("sk-live-123"));
        assertEquals("******${input:tok}", Redaction.value("Bearer ${input:tok}"));
        assertEquals("${input:a} ${input:b}******", Redaction.value("${input:a} ${input:b}x"));
        assertEquals("", Redaction.value(""));
        assertNull(Redaction.value(null));
        assertNull(Redaction.values(null));
    }

    @Test
    void urlsKeepTheirPlaceButNotTheirCredentials() {
        assertEquals("http://10.0.0.5:3001/mcp", Redaction.url("http://10.0.0.5:3001/mcp"));
        assertEquals("https://******@h.example/mcp?******", Redaction.url("https://u:pw@h.example/mcp?key=s3"));
        assertEquals("https://h.example/mcp?******${input:key}",
                Redaction.url("https://h.example/mcp?key=${input:key}"));
        assertFalse(Redaction.url("http://${input:host}/x?t=abc").contains("abc"));
    }

    @Test
    void everyTransportsSecretsAreMaskedInTheConfigThatLeaves() throws Exception {
        ObjectMapper json = new ObjectMapper();
        McpServerConfig stdio = new McpServerConfig("s", "s", false, null, null, null, null,
                new StdioParameters("/bin/srv", List.of("--verbose"), Map.of("API_KEY", "literal-key-1",
                        "TOKEN", "${input:t}"), "/srv", null, null));
        McpServerConfig streamable = new McpServerConfig("h", "h", false, null, null, null, null,
                new StreamableParameters("https://user:literal-pw-2@h/mcp", Map.of("Authorization",
                        "Bearer literal-bearer-3", "X-Key", "${input:k}"), "PT30S", null, null));
        McpServerConfig sse = new McpServerConfig("e", "e", false, null, null, null, null,
                new SseParameters("http://h/sse?api_key=literal-query-4", Map.of("X-Api", "literal-header-5"), 30.0,
                        null));
        String shown = json.writeValueAsString(List.of(stdio.redacted(), streamable.redacted(), sse.redacted()));
        for (String secret : List.of("literal-key-1", "literal-pw-2", "literal-bearer-3", "literal-query-4",
                "literal-header-5")) {
            assertFalse(shown.contains(secret), secret + " in " + shown);
        }
        for (String kept : List.of("${input:t}", "${input:k}", "/bin/srv", "--verbose", "/srv", "\"API_KEY\"",
                "\"Authorization\"", "PT30S", "http://h/sse")) {
            assertEquals(true, shown.contains(kept), kept + " in " + shown);
        }
    }
}

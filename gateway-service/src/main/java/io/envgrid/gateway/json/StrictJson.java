package io.envgrid.gateway.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;

/**
 * The one strict reading of JSON a client sent, for every front end (MCP bodies, Socket.IO packet data, Sandbox API
 * bodies, a Computer's {@code a2c_tool_meta} text), and the one wording of why such JSON was refused.
 *
 * <p>Strict: a key twice in one object, at any depth, is a parse error. {@code {"name":"a","name":"b"}} would read as
 * "b" (the last wins) while a proxy, a log or a check that read the first saw "a".
 */
public final class StrictJson {

    /** How Jackson words a duplicate key; it has no exception type of its own. */
    private static final String DUPLICATE = "Duplicate field '";
    /** How Jackson words a value after the value read ({@link DeserializationFeature#FAIL_ON_TRAILING_TOKENS}). */
    private static final String TRAILING = "Trailing token";
    /** How Jackson words an end of input it does not throw a {@link JsonEOFException} for (after a comma). */
    private static final String END_OF_INPUT = "Unexpected end-of-input";

    private StrictJson() {
    }

    /**
     * {@code json}'s reader (its configuration kept), refusing as a parse error a duplicate key in any object and
     * anything but white space after the value ({@code {"a":1} {"a":2}}: read alone, the first value would be acted on
     * and the rest dropped unseen).
     */
    public static ObjectReader reader(ObjectMapper json) {
        return json.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * What was wrong with the JSON text and where, for the client: {@code duplicate key "name" at line 1, column 20},
     * {@code unexpected end of input at line 1, column 5}, {@code content after the JSON value at line 1, column 9},
     * {@code invalid JSON at line 2, column 3}. Line and column
     * are 1-based as the parser counts them (a body read as bytes counts the column in bytes); left out when the
     * failure has no place. Never Jackson's own message, which names its classes and settings.
     *
     * @param failure what reading failed with: a {@link JsonProcessingException}, or another {@link IOException} (bytes in
     *          a byte order no JSON encoding has, which the reader fails on before parsing)
     */
    public static String problem(IOException failure) {
        if (!(failure instanceof JsonProcessingException e)) {
            return "not UTF-8, UTF-16 or UTF-32 text";
        }
        JsonLocation at = e.getLocation();
        return what(e) + (at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
    }

    /** Whether reading failed on content after the value ({@link #reader} refuses it). */
    public static boolean isTrailing(JsonProcessingException e) {
        return e.getOriginalMessage() != null && e.getOriginalMessage().startsWith(TRAILING);
    }

    private static String what(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof JsonEOFException || message.startsWith(END_OF_INPUT)) {
            return "unexpected end of input";
        }
        if (isTrailing(e)) {
            return "content after the JSON value";
        }
        if (e instanceof StreamConstraintsException) {
            return "too deeply nested, or a number, string or key too long";
        }
        if (message.startsWith(DUPLICATE) && e.getProcessor() instanceof JsonParser parser) {
            // the parser's name is the key as read (unescaped); written back as a JSON string so any quote in it shows
            return "duplicate key " + TextNode.valueOf(parser.getParsingContext().getCurrentName());
        }
        return "invalid JSON";
    }
}

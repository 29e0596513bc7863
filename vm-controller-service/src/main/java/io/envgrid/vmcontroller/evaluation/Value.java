package io.envgrid.vmcontroller.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/**
 * What a getter produced, for a metric: text (a command's output, the accessibility tree), a file's bytes, a JSON
 * value (rules, a directory tree), or nothing (OSWorld's {@code None}: the file is not there, the command could not
 * run), which every metric scores 0.
 */
public sealed interface Value {

    /** The value as text, as the metric functions of OSWorld read a string; {@code null} for {@link Absent}. */
    String text();

    record Text(String value) implements Value {
        @Override
        public String text() {
            return value;
        }
    }

    /** A file read from the desktop; read as UTF-8 where a metric reads text. */
    record File(String path, byte[] content) implements Value {
        @Override
        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    record Json(JsonNode value) implements Value {
        @Override
        public String text() {
            return value.isTextual() ? value.asText() : value.toString();
        }
    }

    /** No value; {@code reason} says why (reported, not an error of the call). */
    record Absent(String reason) implements Value {
        @Override
        public String text() {
            return null;
        }
    }
}

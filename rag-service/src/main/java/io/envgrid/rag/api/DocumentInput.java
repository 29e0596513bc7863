package io.envgrid.rag.api;

import io.envgrid.rag.index.Document;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One document as a client sends it: a JSON line of a bulk upload, or the body of a PUT. */
public record DocumentInput(
        @Schema(pattern = Limits.DOCUMENT_ID_RULE, description = "required in a JSON line; a PUT takes it from the path")
        String id,
        @Schema(required = true, minLength = 1, maxLength = Limits.MAX_TEXT_CHARS)
        String text,
        @Schema(maxLength = Limits.MAX_TITLE_CHARS)
        String title,
        @Schema(maxProperties = Limits.MAX_METADATA_ENTRIES,
                description = "key ([A-Za-z0-9_.-]{1,64}) → string, number or boolean (at most " + Limits.MAX_METADATA_VALUE_CHARS + " characters)")
        Map<String, Object> metadata) {

    /** @return the reason this document cannot be indexed, or null */
    String problem() {
        String idProblem = Validation.documentIdProblem(id);
        if (idProblem != null) {
            return idProblem;
        }
        if (text == null || text.isBlank()) {
            return "'text' is required and must not be blank";
        }
        if (text.length() > Limits.MAX_TEXT_CHARS) {
            return "'text' is longer than " + Limits.MAX_TEXT_CHARS + " characters";
        }
        if (title != null && title.length() > Limits.MAX_TITLE_CHARS) {
            return "'title' is longer than " + Limits.MAX_TITLE_CHARS + " characters";
        }
        return Validation.metadataProblem(metadata);
    }

    Document toDocument() {
        return new Document(id, title, text, metadata);
    }
}

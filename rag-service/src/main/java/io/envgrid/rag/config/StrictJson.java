package io.envgrid.rag.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Request JSON is read strictly where leniency would hide a client's mistake: a value of the wrong
 * JSON type is a 400 {@code MALFORMED_JSON}, never converted.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        // 2.5 for an integer such as top_k is a mistake to report (400), not a number to truncate to 2.
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        // "5" for top_k, 5 for a query, "true" for a flag: Jackson converts scalars by default, so a client
        // sending the wrong type would be served as if it had sent the right one.
        for (LogicalType type : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        // A key given twice is ambiguous, and for a record Jackson then fails with a definition error (a 500):
        // {"title":"a","title":"b"} is a 400.
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }
}

package io.envgrid.rag.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** Request JSON is read strictly where leniency would hide a client's mistake. */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        // 2.5 for an integer such as top_k is a mistake to report (400), not a number to truncate to 2.
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        // A key given twice is ambiguous, and for a record Jackson then fails with a definition error (a 500):
        // {"title":"a","title":"b"} is a 400.
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }
}

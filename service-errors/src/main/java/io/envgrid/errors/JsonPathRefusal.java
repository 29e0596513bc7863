package io.envgrid.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.arc.DefaultBean;
import jakarta.inject.Singleton;
import java.util.stream.Collectors;

/**
 * The default {@link MalformedBody}: {@code MALFORMED_JSON}, naming the field of a wrongly typed value by its path
 * ({@code at 'resources.[0].count'}) so that the caller sees which one.
 */
@Singleton
@DefaultBean
public class JsonPathRefusal implements MalformedBody {

    @Override
    public String code() {
        return CommonCodes.MALFORMED_JSON;
    }

    @Override
    public String message(JsonProcessingException e) {
        String where = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                ? " at '" + m.getPath().stream()
                        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .collect(Collectors.joining(".")) + "'"
                : "";
        return "request body is not valid JSON for this endpoint" + where;
    }
}

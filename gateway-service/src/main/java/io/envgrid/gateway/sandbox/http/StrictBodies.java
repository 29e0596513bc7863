package io.envgrid.gateway.sandbox.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.json.StrictJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads a Sandbox API request body into its record ({@link SandboxBodies}) with Jackson, strictly: a field the record
 * does not have, a value of the wrong JSON type (no coercion: {@code 1} is no string, {@code "true"} no boolean), a
 * body that is no JSON object or no JSON at all (a key twice in one object included: {@link StrictJson}) are each 400
 * {@code INVALID_PARAMETERS} with the error envelope, whose {@code details.field} names the field at fault
 * ({@code actions[2].params}); a body that is no JSON says what was wrong and where
 * ({@code the body is not JSON: unexpected end of input at line 1, column 5}). What a record cannot say (required
 * fields, bounds, ids) the resource checks after reading.
 */
@ApplicationScoped
public class StrictBodies {

    private final ObjectReader strict;

    public StrictBodies() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        // Jackson would otherwise read 123 as "123" and 1 as true: the body's JSON types are part of the contract
        for (LogicalType type : new LogicalType[] {LogicalType.Textual, LogicalType.Boolean, LogicalType.Collection,
            LogicalType.POJO}) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
            if (type != LogicalType.Textual) {
                mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
            }
        }
        this.strict = StrictJson.reader(mapper);
    }

    /**
     * {@code body} as a {@code type}; an empty body is {@code whenEmpty} (null: refused as no object).
     *
     * @throws ToolFailure 400 {@code INVALID_PARAMETERS}, {@code details.field} naming the field at fault when there is one
     */
    public <T> T read(byte[] body, Class<T> type, T whenEmpty) {
        if (body == null || body.length == 0) {
            if (whenEmpty != null) {
                return whenEmpty;
            }
            throw ToolFailure.invalid("the body must be a JSON object");
        }
        try {
            T read = strict.readValue(body, type);
            if (read == null) {
                throw ToolFailure.invalid("the body must be a JSON object");
            }
            return read;
        } catch (UnrecognizedPropertyException e) {
            String field = path(e);
            throw refused(field, "is not a field of this request; it takes " + known(e.getKnownPropertyIds()));
        } catch (MismatchedInputException e) {
            String field = path(e);
            if (StrictJson.isTrailing(e)) {
                throw notJson(e); // worded as every front end words it
            }
            if (field.isEmpty()) {
                // a body of another JSON type
                throw ToolFailure.invalid("the body must be one JSON object");
            }
            throw refused(field, "must be " + expected(e.getTargetType()));
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof JsonProcessingException parse && !(parse instanceof JsonMappingException)) {
                // a parse error inside a free-form value ("params"), which Jackson hands on wrapped with that value's path
                throw notJson(parse);
            }
            String field = path(e);
            throw field.isEmpty() ? ToolFailure.invalid("the body does not fit this request: " + e.getOriginalMessage())
                    : refused(field, e.getOriginalMessage());
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    private static ToolFailure notJson(IOException e) {
        return ToolFailure.invalid("the body is not JSON: " + StrictJson.problem(e));
    }

    private static ToolFailure refused(String field, String problem) {
        return new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, "'" + field + "' " + problem, Map.of("field", field));
    }

    /** The field's place in the body: {@code worker_id}, {@code actions[2].params}. */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference step : e.getPath()) {
            if (step.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(step.getFieldName());
            } else if (step.getIndex() >= 0) {
                path.append('[').append(step.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String known(Collection<Object> names) {
        return String.join(", ", new TreeSet<>(names.stream().map(String::valueOf).toList()));
    }

    private static String expected(Class<?> target) {
        if (target == null) {
            return "of another type";
        }
        if (target == String.class) {
            return "a string";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(target) || target.isArray()) {
            return "a list";
        }
        if (Number.class.isAssignableFrom(target) || target.isPrimitive()) {
            return "a number";
        }
        return "an object";
    }
}

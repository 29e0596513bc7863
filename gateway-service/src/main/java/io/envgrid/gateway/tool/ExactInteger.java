package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The one way the gateway turns a JSON number into a whole number: exactly or not at all. Jackson's
 * {@code asInt}/{@code asLong} truncate ({@code 99999999999999999999}, {@code 1e30} and {@code 1.5} all become some
 * other number), so a value read with them could reach a downstream service as something the caller never sent;
 * this refuses it instead. A number with an integral value ({@code 3}, {@code 3.0}, {@code 3e2}) counts as whole, as
 * JSON Schema counts it, so what the schema check let through is read here without a second, different opinion.
 */
public final class ExactInteger {

    private static final BigDecimal MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private ExactInteger() {
    }

    /** {@code value} as a long when it is a JSON number whose value is whole and fits in one; empty otherwise. */
    public static OptionalLong of(JsonNode value) {
        if (value == null || !value.isNumber()) {
            return OptionalLong.empty();
        }
        if (value.isIntegralNumber()) {
            return value.canConvertToLong() ? OptionalLong.of(value.longValue()) : OptionalLong.empty();
        }
        // a double node may hold NaN or an infinity (1e400), which have no decimal value
        if (!value.isBigDecimal() && !Double.isFinite(value.doubleValue())) {
            return OptionalLong.empty();
        }
        BigDecimal decimal = value.decimalValue();
        boolean whole = decimal.signum() == 0 || decimal.stripTrailingZeros().scale() <= 0;
        if (!whole || decimal.compareTo(MIN) < 0 || decimal.compareTo(MAX) > 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(decimal.longValueExact());
    }

    /**
     * {@code value} as a long from {@code min} to {@code max}, else 400 {@code INVALID_PARAMETERS} whose
     * {@code details.field} names {@code field} (the argument's path, {@code coordinate[0]}, {@code config.wait_ms}).
     */
    public static long within(JsonNode value, String field, long min, long max) {
        OptionalLong read = of(value);
        if (read.isPresent() && read.getAsLong() >= min && read.getAsLong() <= max) {
            return read.getAsLong();
        }
        String problem = "'" + field + "': must be a whole number from " + min + " to " + max + ", not " + value;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", field);
        details.put("argument", field.split("[.\\[]", 2)[0]);
        details.put("problems", List.of(problem));
        throw new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, problem, details);
    }
}

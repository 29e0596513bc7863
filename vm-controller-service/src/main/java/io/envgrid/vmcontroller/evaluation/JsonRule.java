package io.envgrid.vmcontroller.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One rule of check_json (OSWorld's {@code _match_value_to_rule}): {@code method} {@code eq}/{@code ne} (JSON
 * equality), {@code lt}/{@code le}/{@code gt}/{@code ge} (numbers), {@code re} with optional flags
 * ({@code re.I}, {@code re.M}, {@code re.S}; a search in the string value), {@code approx:<tolerance>} (numbers).
 */
final class JsonRule {

    private static final Set<String> ORDER = Set.of("lt", "le", "gt", "ge");

    private JsonRule() {
    }

    static void check(JsonNode rule) {
        String method = rule.path("method").asText("");
        JsonNode ref = rule.get("ref");
        if (method.equals("eq") || method.equals("ne")) {
            return;
        }
        if (ORDER.contains(method)) {
            if (!ref.isNumber()) {
                throw new IllegalArgumentException("check_json method " + method + " needs a number ref");
            }
            return;
        }
        if (method.equals("re") || method.startsWith("re.")) {
            if (!ref.isTextual()) {
                throw new IllegalArgumentException("check_json method " + method + " needs a string ref");
            }
            Metrics.regex(ref.asText(), flags(method));
            return;
        }
        if (method.startsWith("approx:")) {
            try {
                Double.parseDouble(method.substring("approx:".length()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("check_json method approx:<tolerance> needs a number: " + method);
            }
            if (!ref.isNumber()) {
                throw new IllegalArgumentException("check_json method " + method + " needs a number ref");
            }
            return;
        }
        throw new IllegalArgumentException("check_json method '" + method
                + "' is not supported (eq, ne, lt, le, gt, ge, re[.I.M.S], approx:<tolerance>)");
    }

    /**
     * Whether {@code value} (null when the key path is missing) passes the checked {@code rule}; a {@code re} rule
     * compiles and searches through {@code regex}, charged to the evaluation's budget (which throws past it).
     */
    static boolean matches(JsonNode value, JsonNode rule, ChargedRegex regex) {
        String method = rule.get("method").asText();
        JsonNode ref = rule.get("ref");
        if (method.equals("eq") || method.equals("ne")) {
            boolean equal = value != null && (value.isNumber() && ref.isNumber()
                    ? value.decimalValue().compareTo(ref.decimalValue()) == 0 : value.equals(ref));
            return method.equals("eq") == equal;
        }
        if (value == null) {
            return false;
        }
        if (method.startsWith("re")) {
            if (!value.isTextual()) {
                return false;
            }
            return regex.find(regex.compile(ref.asText(), flags(method)), value.asText());
        }
        if (!value.isNumber()) {
            return false;
        }
        int order = value.decimalValue().compareTo(ref.decimalValue());
        return switch (method) {
            case "lt" -> order < 0;
            case "le" -> order <= 0;
            case "gt" -> order > 0;
            case "ge" -> order >= 0;
            default -> Math.abs(value.asDouble() - ref.asDouble())
                    <= Double.parseDouble(method.substring("approx:".length()));
        };
    }

    private static int flags(String method) {
        int flags = 0;
        String[] parts = method.split("\\.");
        for (int i = 1; i < parts.length; i++) {
            flags |= switch (parts[i]) {
                case "I", "IGNORECASE" -> Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
                case "M", "MULTILINE" -> Pattern.MULTILINE;
                case "S", "DOTALL" -> Pattern.DOTALL;
                default -> throw new IllegalArgumentException("check_json regex flag '" + parts[i]
                        + "' is not supported (I, M, S)");
            };
        }
        return flags;
    }
}

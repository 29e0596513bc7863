package io.envgrid.gateway.sandbox.profile;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.tool.ExactInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.StreamSupport;

/** One key a backend's or API tool's config may have: its JSON type and whether it must be there. */
public record ConfigRule(String key, Type type, boolean required) {

    /** JSON types a config value can be checked against. */
    public enum Type {
        STRING, INTEGER, BOOLEAN, ARRAY, STRING_LIST;

        boolean accepts(JsonNode value) {
            return switch (this) {
                case STRING -> value.isTextual();
                // a whole number an int holds exactly (every setting is read as one): a larger one would be truncated
                case INTEGER -> ExactInteger.of(value).stream().anyMatch(v -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE);
                case BOOLEAN -> value.isBoolean();
                case ARRAY -> value.isArray();
                case STRING_LIST -> value.isArray() && StreamSupport.stream(value.spliterator(), false)
                        .allMatch(JsonNode::isTextual);
            };
        }
    }

    /** What is wrong with {@code config} under these rules (unknown keys, wrong types, missing keys), by path. */
    public static List<String> problems(JsonNode config, List<ConfigRule> rules, String path) {
        return problems(config, rules, path, true);
    }

    /**
     * What is wrong with a call's {@code config}, which overrides some settings of the profile's: unknown keys and
     * wrong types, by path; a missing key is not wrong here, since the profile's value stays (what is required is
     * checked on the merged whole).
     */
    public static List<String> overrideProblems(JsonNode config, List<ConfigRule> rules, String path) {
        return problems(config, rules, path, false);
    }

    private static List<String> problems(JsonNode config, List<ConfigRule> rules, String path, boolean complete) {
        List<String> problems = new ArrayList<>();
        Map<String, ConfigRule> byKey = new LinkedHashMap<>();
        rules.forEach(r -> byKey.put(r.key(), r));
        config.fieldNames().forEachRemaining(key -> {
            ConfigRule rule = byKey.get(key);
            if (rule == null) {
                problems.add(path + "." + key + ": unknown setting; known: " + byKey.keySet());
            } else if (!rule.type().accepts(config.get(key))) {
                problems.add(path + "." + key + ": must be " + rule.type().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            }
        });
        if (complete) {
            rules.stream().filter(r -> r.required() && !config.hasNonNull(r.key()))
                    .forEach(r -> problems.add(path + "." + r.key() + ": required"));
        }
        return problems;
    }

    /** The setting a problem of {@link #problems} is about ({@code config.wait_ms}): each starts with its path. */
    public static String fieldOf(String problem) {
        return problem.substring(0, problem.indexOf(": "));
    }

    public static ConfigRule optional(String key, Type type) {
        return new ConfigRule(key, type, false);
    }

    public static ConfigRule required(String key, Type type) {
        return new ConfigRule(key, type, true);
    }
}

package io.envgrid.gateway.sandbox.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.envgrid.gateway.tool.ExactInteger;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Sandbox profile: JSON as the Sandbox contract defines it (docs/contracts/sources.md; {@code server}, {@code resources}, {@code apis}),
 * {@code ${VAR}} (required) and {@code ${VAR:-default}} expanded in every string, then checked
 * whole: every problem is reported at once, with its path, so {@code validate} can list them all.
 * Plain Java on purpose: the {@code validate} command runs it without starting the server.
 */
public final class ProfileReader {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
    private static final Pattern RESOURCE_TYPE = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    private static final Set<String> TOP_LEVEL = Set.of("server", "resources", "apis");
    private static final Set<String> SERVER_KEYS = Set.of("title", "session_ttl");
    private static final Set<String> RESOURCE_KEYS = Set.of("enabled", "stateless", "description", "backend", "config");
    private static final int DEFAULT_SESSION_TTL = 300;

    private final ObjectMapper json;
    private final Function<String, String> environment;

    public ProfileReader(ObjectMapper json, Function<String, String> environment) {
        this.json = json;
        this.environment = environment;
    }

    public SandboxProfile read(String source, byte[] content) throws ProfileException {
        List<String> problems = new ArrayList<>();
        JsonNode root;
        try {
            root = json.readTree(content);
        } catch (JsonProcessingException e) {
            throw new ProfileException(source, List.of("not JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ProfileException(source, List.of("unreadable: " + e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ProfileException(source, List.of("a profile is a JSON object"));
        }
        root = expand(root, "", problems);
        unknownKeys(root, TOP_LEVEL, "", problems);
        JsonNode server = root.path("server");
        String title = server.path("title").asText("");
        if (!server.isObject() || title.isBlank()) {
            problems.add("server.title: required");
        } else {
            unknownKeys(server, SERVER_KEYS, "server.", problems);
        }
        int ttl = DEFAULT_SESSION_TTL;
        if (server.has("session_ttl")) {
            JsonNode value = server.get("session_ttl");
            // read exactly: asInt would take 4294967297 for 1
            OptionalLong seconds = ExactInteger.of(value);
            if (seconds.isEmpty() || seconds.getAsLong() < 1 || seconds.getAsLong() > 86_400) {
                problems.add("server.session_ttl: seconds, from 1 to 86400");
            } else {
                ttl = (int) seconds.getAsLong();
            }
        }
        Map<String, ResourceProfile> resources = resources(root.path("resources"), problems);
        Map<String, ObjectNode> apis = apis(root.path("apis"), problems);
        if (!problems.isEmpty()) {
            throw new ProfileException(source, problems);
        }
        return new SandboxProfile(title, ttl, resources, apis);
    }

    private Map<String, ResourceProfile> resources(JsonNode section, List<String> problems) {
        Map<String, ResourceProfile> resources = new LinkedHashMap<>();
        if (section.isMissingNode()) {
            return resources;
        }
        if (!section.isObject()) {
            problems.add("resources: must be an object of resource type -> backend");
            return resources;
        }
        section.fields().forEachRemaining(entry -> {
            String type = entry.getKey();
            String path = "resources." + type;
            JsonNode resource = entry.getValue();
            if (!RESOURCE_TYPE.matcher(type).matches()) {
                problems.add(path + ": a resource type is lower-case letters, digits, '_' or '-' (it prefixes tool names)");
                return;
            }
            if (!resource.isObject()) {
                problems.add(path + ": must be an object");
                return;
            }
            unknownKeys(resource, RESOURCE_KEYS, path + ".", problems);
            if (resource.has("enabled") && !resource.get("enabled").isBoolean()) {
                problems.add(path + ".enabled: must be true or false");
            }
            String backendName = resource.path("backend").asText("");
            BackendKind kind = BackendKind.named(backendName).orElse(null);
            if (kind == null) {
                problems.add(path + ".backend: '" + backendName + "' is not a backend; one of " + BackendKind.names());
                return;
            }
            if (resource.has("stateless") && resource.get("stateless").asBoolean() != kind.stateless()) {
                problems.add(path + ".stateless: the " + backendName + " backend is "
                        + (kind.stateless() ? "stateless (shared)" : "stateful (a session per worker)"));
            }
            ObjectNode config = config(resource.path("config"), kind.config(), path + ".config", problems);
            String allocatorType = config == null ? null : config.path("allocator_type").asText(null);
            if (allocatorType != null && !kind.serves(allocatorType)) {
                problems.add(path + ".config.allocator_type: the " + backendName + " backend leases "
                        + kind.allocatorTypePrefix() + "* resources, not '" + allocatorType + "'");
                return;
            }
            if (resource.path("enabled").asBoolean(true) && config != null) {
                resources.put(type, new ResourceProfile(type, kind, resource.path("description").asText(""), config));
            }
        });
        return resources;
    }

    private Map<String, ObjectNode> apis(JsonNode section, List<String> problems) {
        Map<String, ObjectNode> apis = new LinkedHashMap<>();
        if (section.isMissingNode()) {
            return apis;
        }
        if (!section.isObject()) {
            problems.add("apis: must be an object of config key -> tool configuration");
            return apis;
        }
        section.fields().forEachRemaining(entry -> {
            String path = "apis." + entry.getKey();
            ApiToolKind kind = ApiToolKind.forConfigKey(entry.getKey()).orElse(null);
            if (kind == null) {
                problems.add(path + ": no API tool reads this config key; known: " + ApiToolKind.configKeys());
                return;
            }
            ObjectNode config = config(entry.getValue(), kind.config(), path, problems);
            if (config != null) {
                apis.put(entry.getKey(), config);
            }
        });
        return apis;
    }

    private static ObjectNode config(JsonNode config, List<ConfigRule> rules, String path, List<String> problems) {
        if (config.isMissingNode() || config.isNull()) {
            config = JsonNodeFactory.instance.objectNode();
        }
        if (!config.isObject()) {
            problems.add(path + ": must be an object");
            return null;
        }
        List<String> found = ConfigRule.problems(config, rules, path);
        problems.addAll(found);
        return found.isEmpty() ? (ObjectNode) config : null;
    }

    private static void unknownKeys(JsonNode node, Set<String> known, String path, List<String> problems) {
        node.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                problems.add(path + key + ": unknown key; known: " + known.stream().sorted().toList());
            }
        });
    }

    /** A copy of the tree with variables expanded in every string value; an unset {@code ${VAR}} is a problem. */
    private JsonNode expand(JsonNode node, String path, List<String> problems) {
        if (node.isTextual()) {
            return TextNode.valueOf(expandText(node.asText(), path, problems));
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                copy.set(field.getKey(), expand(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey(), problems));
            }
            return copy;
        }
        if (node.isArray()) {
            var copy = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < node.size(); i++) {
                copy.add(expand(node.get(i), path + "[" + i + "]", problems));
            }
            return copy;
        }
        return node;
    }

    private String expandText(String text, String path, List<String> problems) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder expanded = new StringBuilder();
        while (matcher.find()) {
            String value = environment.apply(matcher.group(1));
            if (value == null || (value.isEmpty() && matcher.group(2) != null)) {
                value = matcher.group(3);
            }
            if (value == null) {
                problems.add(path + ": environment variable " + matcher.group(1) + " is not set (use ${"
                        + matcher.group(1) + ":-default} for a default)");
                value = "";
            }
            matcher.appendReplacement(expanded, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(expanded);
        return expanded.toString();
    }
}

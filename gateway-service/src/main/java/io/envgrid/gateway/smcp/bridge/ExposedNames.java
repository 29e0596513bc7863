package io.envgrid.gateway.smcp.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.json.StrictJson;
import io.envgrid.gateway.tool.ToolRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The MCP names of an office's Computer tools: {@code {computer}.{tool}}, where {@code tool} is the name the Computer
 * exposes ({@code {bundle_id}__{alias|tool}}, docs/contracts/smcp.md §7) and each part is <em>encoded</em> so that the name says
 * exactly which (Computer, tool) it is for:
 * <ul>
 * <li>a part of 1 to {@value #MAX_COMPUTER_PART} (Computer) or {@value #MAX_TOOL_PART} (tool) characters of
 * {@code [A-Za-z0-9_-]} that does not contain {@value #HASHED} is kept as it is (plain);</li>
 * <li>any other part — a {@code .}, {@code /}, space, non-ASCII character, {@value #HASHED}, or too long — becomes
 * {@code {readable}--{hash}}: its first {@value #READABLE} characters with every character outside
 * {@code [A-Za-z0-9_-]} replaced by {@code _}, then {@value #HASHED}, then the first {@value #HASH_HEX} hex digits of
 * the SHA-256 of its UTF-8 bytes (hashed);</li>
 * <li>a Computer part that a gateway tool name starts with before its first dot ({@code desktop}, {@code device}) is
 * hashed even when plain, so {@code desktop.screenshot} stays the gateway's.</li>
 * </ul>
 * So a name has exactly one dot, between its parts; a plain part never contains {@value #HASHED} and a hashed one
 * always does; two different (Computer, tool) pairs get different names (short of a 64-bit SHA-256 prefix
 * collision); no name equals a gateway tool name (those have no dot, or a reserved part before it); every name
 * keeps to MCP's tool-name characters {@code [A-Za-z0-9_.-]} and 128 characters, and depends on nothing but its own
 * pair, so it does not change when other Computers come or go. Should two tools still get one name (a Computer
 * listing a tool twice, a hash collision), neither is exposed. A tool without a usable name is left out.
 */
@ApplicationScoped
public class ExposedNames {

    private static final Logger LOG = Logger.getLogger(ExposedNames.class);
    /** Between the Computer part and the tool part: an MCP tool-name character no encoded part contains. */
    static final char SEPARATOR = '.';
    /** Marks a hashed part; a plain part never contains it, a hashed one always does. */
    static final String HASHED = "--";
    /** Longest plain Computer part; with {@link #MAX_TOOL_PART} and the separator a name fits MCP's 128 characters. */
    static final int MAX_COMPUTER_PART = 63;
    static final int MAX_TOOL_PART = 64;
    /** Characters of the original kept readable in a hashed part. */
    static final int READABLE = 24;
    /** 64 bits of SHA-256: finding a second name for a given one takes about 2^64 hashes. */
    static final int HASH_HEX = 16;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Computer parts kept for the gateway's dotted tool names (the part before their first dot). */
    private final Set<String> reserved;
    private final ObjectMapper json;

    @Inject
    public ExposedNames(ToolRegistry registry, ObjectMapper json) {
        this(Stream.concat(registry.all().stream().map(t -> t.spec().name()), Stream.of(BridgeTools.JOIN, BridgeTools.LEAVE))
                .toList(), json);
    }

    /**
     * {@code gatewayTools}: every tool name the gateway serves itself. Fails when one has {@value #HASHED} before its
     * first dot: a hashed Computer part could then equal it.
     */
    ExposedNames(Collection<String> gatewayTools, ObjectMapper json) {
        this.reserved = gatewayTools.stream().filter(n -> n.indexOf(SEPARATOR) >= 0)
                .map(n -> n.substring(0, n.indexOf(SEPARATOR))).collect(Collectors.toUnmodifiableSet());
        reserved.stream().filter(r -> r.contains(HASHED)).findAny().ifPresent(r -> {
            throw new IllegalStateException("gateway tool names must not contain '" + HASHED + "' before a dot: " + r);
        });
        this.json = json;
    }

    /** The MCP name of {@code tool} (as the Computer exposes it) on {@code computer} (its name in the office). */
    String name(String computer, String tool) {
        String computerPart = plain(computer, MAX_COMPUTER_PART) && !reserved.contains(computer) ? computer : hashed(computer);
        return computerPart + SEPARATOR + (plain(tool, MAX_TOOL_PART) ? tool : hashed(tool));
    }

    /** {@code byComputer}: each Computer's {@code SMCPTool}s ({@code client:get_tools}' {@code tools}), by name. */
    List<ComputerTool> assign(SortedMap<String, List<JsonNode>> byComputer) {
        Map<String, ComputerTool> named = new LinkedHashMap<>();
        Set<String> twice = new HashSet<>();
        byComputer.forEach((computer, tools) -> {
            for (JsonNode tool : tools) {
                String exposed = tool.path("name").asText("");
                if (exposed.isEmpty()) {
                    continue;
                }
                ComputerTool entry = new ComputerTool(name(computer, exposed), computer, exposed,
                        tool.path("bundle_id").asText(null), tool.path("description").asText(""),
                        inputSchema(tool.get("params_schema")), tool.get("return_schema") instanceof ObjectNode o ? o : null,
                        toolMeta(tool.path("meta").get("a2c_tool_meta")));
                if (named.putIfAbsent(entry.name(), entry) != null) {
                    twice.add(entry.name());
                }
            }
        });
        // keeping either would let one tool answer for the other
        for (String name : twice) {
            LOG.warnf("Tool name '%s' stands for more than one Computer tool; none of them is exposed", name);
            named.remove(name);
        }
        return new ArrayList<>(named.values());
    }

    private static boolean plain(String part, int maxLength) {
        return !part.isEmpty() && part.length() <= maxLength && part.chars().allMatch(ExposedNames::allowed)
                && !part.contains(HASHED);
    }

    /** {@code [A-Za-z0-9_-]}: MCP's tool-name characters but the separator. */
    private static boolean allowed(int c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-');
    }

    private static String hashed(String part) {
        StringBuilder readable = new StringBuilder();
        part.codePoints().limit(READABLE).forEach(c -> readable.append(allowed(c) ? (char) c : '_'));
        return readable + HASHED + sha256(part).substring(0, HASH_HEX);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** MCP requires an object schema: a missing or non-object one becomes {@code {"type": "object"}}. */
    private static ObjectNode inputSchema(JsonNode schema) {
        if (schema instanceof ObjectNode o && "object".equals(o.path("type").asText())) {
            return o;
        }
        return NODES.objectNode().put("type", "object");
    }

    /**
     * {@code meta.a2c_tool_meta} is a JSON string on the wire (docs/contracts/smcp.md §5); an object is taken as it is.
     * The string is the Computer's own JSON text inside its packet, read as strictly as the packet ({@link StrictJson}):
     * one with a key twice is no JSON, so no client reads one value of it while another reads the other.
     */
    private JsonNode toolMeta(JsonNode meta) {
        if (meta == null || meta.isNull()) {
            return null;
        }
        if (meta.isObject()) {
            return meta;
        }
        try {
            JsonNode parsed = StrictJson.reader(json).readTree(meta.asText());
            return parsed != null && parsed.isObject() ? parsed : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}

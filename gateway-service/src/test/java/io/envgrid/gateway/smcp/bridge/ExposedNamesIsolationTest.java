package io.envgrid.gateway.smcp.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a hostile Computer can do with the names of its tools and its own name: it can neither take another Computer's
 * tool name (shadow), nor make another's tool disappear (hide), nor take a gateway tool's name; odd names stay
 * reachable under a hashed, MCP-safe name. "Routes to" below is what {@link BridgeTools} relays a call of that name
 * to: the {@link ComputerTool}'s {@code computer} and {@code exposedName}.
 */
class ExposedNamesIsolationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Each kind of name the gateway serves itself: plain ones, dotted ones under {@code desktop.} and {@code device.}. */
    private static final List<String> GATEWAY = List.of("allocate_batch_resources", "computer", "pyautogui",
            "rag_search", "desktop.screenshot", "desktop.execute", "device.execute", BridgeTools.JOIN, BridgeTools.LEAVE);
    /** MCP's tool-name characters and length (2025-11-25), with exactly one dot between the two parts. */
    private static final Pattern MCP_NAME = Pattern.compile("[A-Za-z0-9_-]{1,63}\\.[A-Za-z0-9_-]{1,64}");

    private final ExposedNames names = new ExposedNames(GATEWAY, JSON);

    @Test
    void computersWhoseNamesDifferOnlyInOddCharactersEachKeepTheirTool() {
        Map<String, ComputerTool> named = assign(Map.of("pc 1", List.of("a__x"), "pc/1", List.of("a__x"),
                "pc_1", List.of("a__x"), "pc.1", List.of("a__x")));
        assertEquals(4, named.size(), named.keySet().toString());
        assertEquals(Set.of("pc 1", "pc/1", "pc_1", "pc.1"), computers(named));
        assertEquals("pc_1", named.get("pc_1.a__x").computer(), "a plain name routes to its own Computer");
    }

    @Test
    void aToolNamedLikeAnotherComputersToolTakesNothingFromIt() {
        // "a" lists a tool named as "pc-2"'s tool "shared" would be shown
        Map<String, ComputerTool> named = assign(Map.of("a", List.of("pc-2.shared"), "pc-2", List.of("shared"),
                "pc-3", List.of("shared")));
        assertEquals(3, named.size(), named.keySet().toString());
        assertRoutes(named.get("pc-2.shared"), "pc-2", "shared");
        assertRoutes(named.get("pc-3.shared"), "pc-3", "shared");
        ComputerTool spoof = named.values().stream().filter(t -> t.computer().equals("a")).findFirst().orElseThrow();
        assertRoutes(spoof, "a", "pc-2.shared");
    }

    @Test
    void aNameStaysTheSameWhenAnotherComputerWithTheSameToolJoins() {
        String alone = assign(Map.of("pc-1", List.of("everything__echo"))).keySet().iterator().next();
        Map<String, ComputerTool> joined = assign(Map.of("pc-1", List.of("everything__echo"),
                "pc-2", List.of("everything__echo")));
        assertRoutes(joined.get(alone), "pc-1", "everything__echo");
    }

    @Test
    void namesWithDotsSlashesSpacesUnicodeOrLengthAreHashedAndStayReachable() {
        List<String> tools = List.of("fs.read", "fs/read", "fs read", "fs_read", "读取", "fs__emoji😀", "a--b",
                "long_" + "x".repeat(200));
        Map<String, List<String>> byComputer = Map.of("lab pc/1", tools, "机器", tools, "desktop.x", tools);
        Map<String, ComputerTool> named = assign(byComputer);
        assertEquals(3 * tools.size(), named.size(), "not one dropped: " + named.keySet());
        for (ComputerTool tool : named.values()) {
            assertTrue(MCP_NAME.matcher(tool.name()).matches(), tool.name());
            assertEquals(tool.name(), names.name(tool.computer(), tool.exposedName()), "the name is the pair's own");
        }
        String hashed = names.name("lab pc/1", "fs.read");
        assertTrue(hashed.startsWith("lab_pc_1--") && hashed.contains(".fs_read--"), hashed);
        assertNotEquals(hashed, names.name("lab pc/1", "fs/read"), "same readable part, other hash");
        assertEquals(hashed, new ExposedNames(GATEWAY, JSON).name("lab pc/1", "fs.read"), "deterministic");
    }

    @Test
    void aComputerNamedLikeAGatewayToolsPrefixCannotProduceAGatewayToolName() {
        Map<String, ComputerTool> named = assign(Map.of("desktop", List.of("screenshot", "execute"),
                "device", List.of("execute")));
        assertEquals(3, named.size(), named.keySet().toString());
        named.keySet().forEach(n -> assertFalse(GATEWAY.contains(n), n));
        assertTrue(names.name("desktop", "screenshot").startsWith("desktop--"), names.name("desktop", "screenshot"));
        assertEquals(Set.of("desktop", "device"), computers(named));
    }

    @Test
    void aToolNamedLikeAGatewayToolIsListedUnderItsComputerAndTakesNoGatewayName() {
        Map<String, ComputerTool> named = assign(Map.of("pc", GATEWAY));
        assertEquals(GATEWAY.size(), named.size(), "none hidden: " + named.keySet());
        named.keySet().forEach(n -> assertFalse(GATEWAY.contains(n), n));
        assertRoutes(named.get("pc.computer"), "pc", "computer");
        assertRoutes(assign(Map.of("smcp_join_office", List.of("smcp_join_office"))).get("smcp_join_office.smcp_join_office"),
                "smcp_join_office", "smcp_join_office");
    }

    @Test
    void aNameStandingForTwoToolsIsNotExposedAtAll() {
        Map<String, ComputerTool> named = assign(Map.of("pc", List.of("a__x", "a__x", "a__y")));
        assertEquals(Set.of("pc.a__y"), named.keySet(), "which of the two a__x would answer is not known");
    }

    @Test
    void hostileNamesNeverShareANameNorLeaveMcpsAlphabet() {
        Random random = new Random(20261201);
        List<String> alphabet = List.of("a", "A", "1", "_", "-", "--", ".", "/", " ", "é", "数", "😀", "__");
        TreeMap<String, List<JsonNode>> byComputer = new TreeMap<>();
        int pairs = 0;
        while (byComputer.size() < 60) {
            String computer = byComputer.size() < 2 ? List.of("desktop", "device").get(byComputer.size())
                    : word(random, alphabet);
            if (byComputer.containsKey(computer)) {
                continue;
            }
            Set<String> tools = new LinkedHashSet<>(GATEWAY.subList(0, random.nextInt(3)));
            while (tools.size() < 40) {
                String tool = word(random, alphabet);
                if (!tool.isEmpty()) {
                    tools.add(tool);
                }
            }
            byComputer.put(computer, smcpTools(new ArrayList<>(tools)));
            pairs += tools.size();
        }
        List<ComputerTool> named = names.assign(byComputer);
        assertEquals(pairs, named.size(), "every (Computer, tool) pair has a name of its own");
        for (ComputerTool tool : named) {
            assertTrue(MCP_NAME.matcher(tool.name()).matches(), tool.name());
            assertFalse(GATEWAY.contains(tool.name()), tool.name());
        }
    }

    @Test
    void aGatewayToolNameAHashedPartCouldEqualIsRefusedAtStartup() {
        assertThrows(IllegalStateException.class, () -> new ExposedNames(List.of("odd--tools.list"), JSON));
    }

    /** 0 to 9 pieces of {@code alphabet}, now and then 70 (past the longest plain part). */
    private static String word(Random random, List<String> alphabet) {
        StringBuilder word = new StringBuilder();
        int length = random.nextInt(12) == 0 ? 70 : random.nextInt(10);
        for (int i = 0; i < length; i++) {
            word.append(alphabet.get(random.nextInt(alphabet.size())));
        }
        return word.toString();
    }

    private Map<String, ComputerTool> assign(Map<String, List<String>> toolsByComputer) {
        TreeMap<String, List<JsonNode>> byComputer = new TreeMap<>();
        toolsByComputer.forEach((computer, tools) -> byComputer.put(computer, smcpTools(tools)));
        Map<String, ComputerTool> out = new TreeMap<>();
        names.assign(byComputer).forEach(t -> assertNull(out.put(t.name(), t), "one name listed twice: " + t.name()));
        return out;
    }

    private static List<JsonNode> smcpTools(List<String> tools) {
        return tools.stream().<JsonNode>map(n -> JSON.createObjectNode().put("name", n).put("description", "d")).toList();
    }

    private static Set<String> computers(Map<String, ComputerTool> named) {
        return named.values().stream().map(ComputerTool::computer).collect(Collectors.toSet());
    }

    private static void assertRoutes(ComputerTool tool, String computer, String exposedName) {
        assertNotNull(tool, "no such tool listed");
        assertEquals(computer, tool.computer(), tool.toString());
        assertEquals(exposedName, tool.exposedName(), tool.toString());
    }
}

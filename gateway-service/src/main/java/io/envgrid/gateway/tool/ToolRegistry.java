package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Every tool the gateway serves, one model for both front ends: the {@link Tool} beans and the
 * tools of every {@link ToolSource} under their MCP names, plus tools offered on the Sandbox API
 * only ({@link #registerSandboxOnly}, built from the profile). The Sandbox names
 * ({@code vm:click}) are aliases of these entries, kept by the Sandbox catalog. Each tool's
 * input and output schemas are compiled once, here.
 */
@ApplicationScoped
public class ToolRegistry {

    private record Entry(Tool tool, ArgumentCheck input, ArgumentCheck output) {
    }

    private final Map<String, Tool> mcpTools = new LinkedHashMap<>();
    private final Map<Tool, Entry> entries = new ConcurrentHashMap<>();
    private final boolean hideSystemTools;

    public ToolRegistry(Instance<Tool> beans, Instance<ToolSource> sources, GatewayConfig config) {
        Stream.concat(beans.stream(), sources.stream().flatMap(s -> s.tools().stream()))
                .sorted(Comparator.comparing((Tool t) -> !t.spec().system()).thenComparing(t -> t.spec().name()))
                .forEach(t -> {
                    if (mcpTools.putIfAbsent(t.spec().name(), t) != null) {
                        throw new IllegalStateException("two tools are named " + t.spec().name());
                    }
                    compile(t);
                });
        this.hideSystemTools = config.mcp().hideSystemTools();
    }

    private void compile(Tool tool) {
        ToolSpec spec = tool.spec();
        entries.put(tool, new Entry(tool, ArgumentCheck.compile(spec.name(), spec.inputSchema()),
                ArgumentCheck.compile(spec.name() + " output", spec.outputSchema())));
    }

    /** Adds a tool the Sandbox API offers and MCP does not (an API tool configured by the profile). */
    public void registerSandboxOnly(Tool tool) {
        compile(tool);
    }

    /** The tool MCP knows by {@code name}. */
    public Optional<Tool> find(String name) {
        return Optional.ofNullable(mcpTools.get(name));
    }

    /**
     * Checks {@code arguments} against the tool's input schema and the id rule, then what the schema cannot say
     * ({@link Tool#checkBeyondSchema}: key names …) — 400 when they do not pass; nothing has run — and answers the
     * call ready to run. Both front ends prepare every call of a request before any of it runs.
     */
    public CheckedCall prepare(Tool tool, ObjectNode arguments) {
        entry(tool).input().check(arguments);
        tool.checkBeyondSchema(arguments);
        return new CheckedCall(tool, arguments);
    }

    /** What is wrong with a result's {@code structuredContent} against the tool's output schema; empty when nothing. */
    public List<String> outputProblems(Tool tool, JsonNode structured) {
        return entry(tool).output().problems(structured);
    }

    private Entry entry(Tool tool) {
        Entry entry = entries.get(tool);
        if (entry == null) {
            throw new IllegalStateException("tool " + tool.spec().name() + " is not registered");
        }
        return entry;
    }

    /** The tools {@code tools/list} shows: all, or all but the system tools when configured so. */
    public List<ToolSpec> listed() {
        return mcpTools.values().stream().map(Tool::spec).filter(s -> !(hideSystemTools && s.system())).toList();
    }

    /** Every tool with an MCP name. */
    public Collection<Tool> all() {
        return mcpTools.values();
    }
}

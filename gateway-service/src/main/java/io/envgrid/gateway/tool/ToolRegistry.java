package io.envgrid.gateway.tool;

import io.envgrid.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** Every tool the gateway serves, by name: the {@link Tool} beans and the tools of every {@link ToolSource}. */
@ApplicationScoped
public class ToolRegistry {

    private final Map<String, Tool> tools = new LinkedHashMap<>();
    private final boolean hideSystemTools;

    public ToolRegistry(Instance<Tool> beans, Instance<ToolSource> sources, GatewayConfig config) {
        Stream.concat(beans.stream(), sources.stream().flatMap(s -> s.tools().stream()))
                .sorted(Comparator.comparing((Tool t) -> !t.spec().system()).thenComparing(t -> t.spec().name()))
                .forEach(t -> {
                    if (tools.putIfAbsent(t.spec().name(), t) != null) {
                        throw new IllegalStateException("two tools are named " + t.spec().name());
                    }
                });
        this.hideSystemTools = config.mcp().hideSystemTools();
    }

    public Optional<Tool> find(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    /** The tools {@code tools/list} shows: all, or all but the system tools when configured so. */
    public List<ToolSpec> listed() {
        return tools.values().stream().map(Tool::spec).filter(s -> !(hideSystemTools && s.system())).toList();
    }

    public Collection<Tool> all() {
        return tools.values();
    }
}

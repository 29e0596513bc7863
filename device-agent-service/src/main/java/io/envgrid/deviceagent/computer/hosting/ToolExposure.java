package io.envgrid.deviceagent.computer.hosting;

import io.envgrid.deviceagent.computer.config.McpServerConfig;
import io.envgrid.deviceagent.computer.config.ToolMeta;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which of a server's tools are exposed and under what name: forbidden tools are left out; the name is
 * {@code {bundle_id}__{alias or tool}}; the meta is {@code tool_meta[tool]} over {@code default_tool_meta} over the
 * server's own {@code _meta.a2c_tool_meta} (its {@code tags} and {@code auto_apply}; A2C-SMCP 0.4.0).
 */
final class ToolExposure {

    private ToolExposure() {
    }

    static List<ExposedTool> expose(String bundleId, McpServerConfig config, List<McpSchema.Tool> tools) {
        List<ExposedTool> out = new ArrayList<>();
        List<String> forbidden = config.forbiddenTools() == null ? List.of() : config.forbiddenTools();
        Map<String, ToolMeta> perTool = config.toolMeta() == null ? Map.of() : config.toolMeta();
        for (McpSchema.Tool tool : tools) {
            if (forbidden.contains(tool.name())) {
                continue;
            }
            ToolMeta own = perTool.getOrDefault(tool.name(), ToolMeta.EMPTY);
            ToolMeta meta = own.over(config.defaultToolMeta()).over(declared(tool));
            String shown = meta.alias() != null ? meta.alias() : tool.name();
            out.add(new ExposedTool(bundleId + ExposedTool.SEPARATOR + shown, bundleId, tool.name(),
                    tool.description(), tool.inputSchema(), tool.outputSchema(), meta));
        }
        return out;
    }

    /** Only {@code tags} and {@code auto_apply} are taken from a server; an alias is the Computer's choice. */
    @SuppressWarnings("unchecked")
    private static ToolMeta declared(McpSchema.Tool tool) {
        if (tool.meta() == null || !(tool.meta().get("a2c_tool_meta") instanceof Map<?, ?> m)) {
            return ToolMeta.EMPTY;
        }
        Object tags = m.get("tags");
        Object autoApply = m.get("auto_apply");
        return new ToolMeta(autoApply instanceof Boolean b ? b : null, null,
                tags instanceof List<?> l ? (List<String>) l : null, null);
    }
}

package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.tool.ProgressSink;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolExecution;
import io.envgrid.gateway.tool.ToolRegistry;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Backend tools that run one of the gateway's MCP tools on the session's resource, so that MCP and
 * the Sandbox API share one implementation: the session's resource id is passed as
 * {@code resource_id} and the worker comes from the call, never from the parameters.
 */
@ApplicationScoped
public class DelegatedTools {

    private static final List<String> INJECTED = List.of("worker_id", "resource_id");

    private final ToolRegistry registry;
    private final ToolExecution execution;

    public DelegatedTools(ToolRegistry registry, ToolExecution execution) {
        this.registry = registry;
        this.execution = execution;
    }

    public BackendTool delegate(String name, String mcpTool) {
        ToolSpec spec = registry.find(mcpTool)
                .orElseThrow(() -> new IllegalStateException("no MCP tool " + mcpTool + " to delegate to")).spec();
        ObjectNode schema = spec.inputSchema().deepCopy();
        ((ObjectNode) schema.path("properties")).remove(INJECTED);
        return new BackendTool(name, spec.description(), schema, (session, params) -> {
            ObjectNode arguments = params.deepCopy();
            arguments.remove(INJECTED);
            if (session.resourceId() != null) {
                arguments.put("resource_id", session.resourceId());
            }
            return execution.run(mcpTool, new ToolCall(arguments, session.workerId(), ProgressSink.NONE))
                    .map(ToolResult::structured);
        });
    }
}

package io.envgrid.deviceagent.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.access.Credentials;
import io.envgrid.deviceagent.access.ServiceTokenCheck;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.tool.ToolDefinition;
import io.envgrid.deviceagent.tool.ToolRegistry;
import io.envgrid.errors.ErrorEnvelope;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolManager;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Serves the tool registry over MCP at {@code /mcp}: every tool with the name, description and input schema of
 * {@code GET /tools}, run by the same {@link ToolRegistry#call}. A result is both {@code structuredContent} and
 * its JSON as text; a failure is a tool error ({@code isError}) carrying the REST error envelope, error code
 * included, in the same two forms.
 */
@ApplicationScoped
public class McpToolBridge {

    private static final Logger LOG = Logger.getLogger(McpToolBridge.class);

    private final ToolRegistry tools;
    private final ToolManager mcpTools;
    private final ObjectMapper json;
    private final CurrentVertxRequest currentRequest;
    private final ServiceTokenCheck serviceToken;

    public McpToolBridge(ToolRegistry tools, ToolManager mcpTools, ObjectMapper json, CurrentVertxRequest currentRequest,
            ServiceTokenCheck serviceToken) {
        this.currentRequest = currentRequest;
        this.serviceToken = serviceToken;
        this.tools = tools;
        this.mcpTools = mcpTools;
        this.json = json;
    }

    void register(@Observes StartupEvent start) {
        for (ToolDefinition tool : tools.all()) {
            mcpTools.newTool(tool.name())
                    .setDescription(tool.description())
                    .setInputSchema(tool.inputSchema().asJson())
                    // Tools touch files, processes and locks: they run on a worker thread, never the event loop.
                    .setHandler(arguments -> call(tool.name(), arguments.args()), false)
                    .register();
        }
    }

    private ToolResponse call(String name, Map<String, Object> arguments) {
        try {
            return response(false, tools.call(name, arguments, credentials()));
        } catch (ApiException e) {
            return response(true, ErrorEnvelope.of(e.code(), e.getMessage(), e.details()));
        } catch (RuntimeException e) {
            LOG.error("MCP call of " + name + " failed", e);
            return response(true, ErrorEnvelope.of(ErrorCode.INTERNAL_ERROR, "internal error", Map.of()));
        }
    }

    /**
     * The credentials of the HTTP request that carried this MCP message: the MCP HTTP transport activates the
     * request context with the current Vert.x request set, so the same headers count as on the REST routes.
     */
    private Credentials credentials() {
        RoutingContext current = currentRequest.getCurrent();
        if (current == null) {
            return new Credentials.None();
        }
        return Credentials.of(current.request().getHeader(HttpHeaders.AUTHORIZATION),
                current.request().getHeader(Credentials.LEASE_TOKEN_HEADER), serviceToken);
    }

    /** The same JSON as the REST answer, as an object for structuredContent and as text for older clients. */
    private ToolResponse response(boolean error, Object result) {
        Map<?, ?> structured = json.convertValue(result, Map.class);
        String text;
        try {
            text = json.writeValueAsString(structured);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("tool result not serializable", e);
        }
        return new ToolResponse(error, List.of(new TextContent(text)), structured, null);
    }
}

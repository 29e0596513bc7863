package io.envgrid.deviceagent.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.resource.ResourceTree;
import io.quarkiverse.mcp.server.JsonRpcErrorCodes;
import io.quarkiverse.mcp.server.McpException;
import io.quarkiverse.mcp.server.ResourceManager;
import io.quarkiverse.mcp.server.ResourceResponse;
import io.quarkiverse.mcp.server.ResourceTemplateManager;
import io.quarkiverse.mcp.server.TextResourceContents;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;

/**
 * The {@code mcp://test-devices/} tree over MCP: the root and its three children as resources, a device's
 * directory and its entries ({@code device.json}, {@code logs}, {@code files}) as resource templates. Each read
 * answers the {@code contents} of the REST resource as JSON text.
 */
@ApplicationScoped
public class McpResourceBridge {

    private static final String JSON = "application/json";

    private final ResourceTree tree;
    private final ResourceManager resources;
    private final ResourceTemplateManager templates;
    private final ObjectMapper json;

    public McpResourceBridge(ResourceTree tree, ResourceManager resources, ResourceTemplateManager templates,
            ObjectMapper json) {
        this.tree = tree;
        this.resources = resources;
        this.templates = templates;
        this.json = json;
    }

    void register(@Observes StartupEvent start) {
        resource(ResourceTree.ROOT, "test-devices", "Root of the test device tree");
        resource(ResourceTree.ROOT + "devices", "devices", "Device types on this host");
        resource(ResourceTree.ROOT + "tools", "tools", "Names of the tools");
        resource(ResourceTree.ROOT + "status", "status", "The agent's system information");
        template("devices-of-type", ResourceTree.ROOT + "devices/{device_type}", "Devices of one type");
        template("device", ResourceTree.ROOT + "devices/{device_type}/{device_id}",
                "A device's directory: device.json, logs, files");
        template("device-entry", ResourceTree.ROOT + "devices/{device_type}/{device_id}/{entry}",
                "A device's device.json record, or its logs/ or files/ listing");
    }

    private void resource(String uri, String name, String description) {
        resources.newResource(name).setUri(uri).setMimeType(JSON).setDescription(description)
                .setHandler(arguments -> read(arguments.requestUri().value()), false)
                .register();
    }

    private void template(String name, String uriTemplate, String description) {
        templates.newResourceTemplate(name).setUriTemplate(uriTemplate).setMimeType(JSON)
                .setDescription(description)
                .setHandler(arguments -> read(arguments.requestUri().value()), false)
                .register();
    }

    private ResourceResponse read(String uri) {
        Map<String, Object> resource;
        try {
            resource = tree.read(uri);
        } catch (ApiException e) {
            throw new McpException(e.getMessage(), JsonRpcErrorCodes.RESOURCE_NOT_FOUND);
        }
        try {
            return new ResourceResponse(
                    new TextResourceContents(uri, json.writeValueAsString(resource.get("contents")), JSON));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("resource not serializable", e);
        }
    }
}

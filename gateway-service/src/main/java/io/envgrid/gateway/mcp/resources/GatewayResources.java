package io.envgrid.gateway.mcp.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.DeviceAgentApi;
import io.envgrid.gateway.client.RagApi;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.mcp.surface.McpError;
import io.envgrid.gateway.desktop.Desktops;
import io.envgrid.gateway.desktop.VmTypes;
import io.envgrid.gateway.lease.WorkerResources;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * MCP resources (2025-11-25 {@code server/resources}) of one session's worker: its leases, the
 * latest screenshot of each desktop it holds (a {@code blob}, image/png), the rag collections it
 * can search, and the device agents' {@code mcp://test-devices/} resources of each device it holds
 * (read from the agent that owns the device, with that lease's token). A session acts only for
 * its own worker, so a URI of another worker's desktop or device is "not found" ({@code -32002}).
 * Everything is read from Redis and the services at request time: any replica answers alike.
 */
@ApplicationScoped
public class GatewayResources {

    /** MCP's "Resource not found" (server/resources, Error Handling). */
    public static final int RESOURCE_NOT_FOUND = -32002;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final WorkerResources workers;
    private final Desktops desktops;
    private final RagApi rag;
    private final DeviceAgentApi agents;
    private final Backends backends;

    public GatewayResources(WorkerResources workers, Desktops desktops, RagApi rag, DeviceAgentApi agents, Backends backends) {
        this.workers = workers;
        this.desktops = desktops;
        this.rag = rag;
        this.agents = agents;
        this.backends = backends;
    }

    /** {@code resources/list}: everything the worker ({@code null}: none bound yet) can read now, in one page. */
    public Uni<JsonNode> list(String workerId) {
        return leases(workerId).map(entries -> {
            ObjectNode result = NODES.objectNode();
            ArrayNode list = result.putArray("resources");
            add(list, ResourceUris.LEASES, "leases", "The leases this session's worker holds (ids, types, endpoints, expiry)",
                    "application/json");
            add(list, ResourceUris.COLLECTIONS, "rag collections", "The retrieval collections rag_search can query",
                    "application/json");
            for (JsonNode entry : entries.values()) {
                String id = entry.path("id").asText();
                String type = entry.path("type").asText();
                if (VmTypes.isVm(type)) {
                    add(list, ResourceUris.screenshot(id), "screenshot " + id,
                            "The latest screenshot of desktop " + id + " (" + type + ")", "image/png");
                } else if (isDevice(entry)) {
                    String base = ResourceUris.DEVICES + ResourceUris.devicePath(type, entry.path("device_id").asText());
                    add(list, base, "device " + id, "Device " + id + " on its agent (directory)", "application/json");
                    add(list, base + "/device.json", "device.json " + id, "The agent's record of device " + id,
                            "application/json");
                }
            }
            return result;
        });
    }

    /** {@code resources/templates/list}: the URI templates {@code completion/complete} also completes. */
    public JsonNode templates() {
        ObjectNode result = NODES.objectNode();
        ArrayNode list = result.putArray("resourceTemplates");
        list.addObject().put("uriTemplate", ResourceUris.SCREENSHOT_TEMPLATE).put("name", "desktop screenshot")
                .put("description", "The latest screenshot of a desktop the worker holds").put("mimeType", "image/png");
        list.addObject().put("uriTemplate", ResourceUris.COLLECTION_TEMPLATE).put("name", "rag collection")
                .put("description", "One retrieval collection: its name and document count").put("mimeType", "application/json");
        list.addObject().put("uriTemplate", ResourceUris.DEVICE_TEMPLATE).put("name", "device record")
                .put("description", "A held device's record on its agent (type as in device_<type>)")
                .put("mimeType", "application/json");
        return result;
    }

    /**
     * {@code resources/read {uri}}: one content item; {@code -32002} for what the worker cannot read; {@code -32602}
     * for a URI with a dot segment, or a device URI {@link DeviceUri} refuses, before anything is looked up.
     */
    public Uni<JsonNode> read(String workerId, String uri) {
        if (ResourceUris.hasDotSegment(uri)) {
            return Uni.createFrom().failure(invalid(uri, "a '.' or '..' segment, plain or percent-encoded"));
        }
        if (ResourceUris.LEASES.equals(uri)) {
            return leases(workerId).map(entries -> text(uri, "application/json", leasesDocument(workerId, entries)));
        }
        if (ResourceUris.COLLECTIONS.equals(uri)) {
            return collections(workerId).map(list -> text(uri, "application/json", list));
        }
        var collection = ResourceUris.collectionOf(uri);
        if (collection.isPresent()) {
            return collections(workerId).map(list -> {
                for (JsonNode c : list) {
                    if (collection.get().equals(c.path("name").asText())) {
                        return text(uri, "application/json", c);
                    }
                }
                throw notFound(uri);
            });
        }
        var desktop = ResourceUris.screenshotOf(uri);
        if (desktop.isPresent()) {
            return held(workerId, uri, e -> VmTypes.isVm(e.path("type").asText()) && desktop.get().equals(e.path("id").asText()))
                    .chain(entry -> desktops.read(workerId, desktop.get(), "screenshot"))
                    .map(shot -> blob(uri, "image/png", shot.path("screenshot").asText()))
                    .onFailure(ToolFailure.class).transform(e -> backendFailure(uri, (ToolFailure) e));
        }
        if (uri.startsWith(ResourceUris.DEVICES)) {
            DeviceUri parsed = DeviceUri.parse(uri);
            if (parsed instanceof DeviceUri.Malformed malformed) {
                return Uni.createFrom().failure(invalid(uri, malformed.reason()));
            }
            if (parsed instanceof DeviceUri.Device device) {
                // the agent gets the path the gateway builds from the checked parts, never the URI's own text
                return held(workerId, uri, e -> isDevice(e) && device.isOf(e.path("type").asText(), e.path("device_id").asText()))
                        .chain(entry -> agents.resource(entry.path("agent_url").asText(), device.agentPath(), entry))
                        .map(doc -> text(uri, doc.path("mimeType").asText("application/json"), doc.path("contents")))
                        .onFailure(ToolFailure.class).transform(e -> backendFailure(uri, (ToolFailure) e));
            }
        }
        return Uni.createFrom().failure(notFound(uri));
    }

    private static boolean isDevice(JsonNode entry) {
        return entry.path("type").asText().startsWith("device_") && entry.hasNonNull("agent_url") && entry.hasNonNull("device_id");
    }

    private Uni<Map<String, JsonNode>> leases(String workerId) {
        return workerId == null ? Uni.createFrom().item(Map.of()) : workers.all(workerId);
    }

    /** The worker's one entry that {@code matches}, else not found. */
    private Uni<JsonNode> held(String workerId, String uri, java.util.function.Predicate<JsonNode> matches) {
        return leases(workerId).map(entries -> entries.values().stream().filter(matches).findFirst()
                .orElseThrow(() -> notFound(uri)));
    }

    /** A backend's 404 (the resource is gone there) is not-found; anything else an internal error that says why. */
    private static McpError backendFailure(String uri, ToolFailure e) {
        // a held desktop answers 404 until setup_batch_resources opened its controller session: the reason says so
        return e.status() == 404 ? new McpError(RESOURCE_NOT_FOUND, "Resource not found",
                NODES.objectNode().put("uri", uri).put("reason", e.getMessage()))
                : new McpError(JsonRpc.INTERNAL_ERROR, "reading " + uri + " failed: " + e.getMessage());
    }

    /** The names of the collections the worker can search (for completion). */
    public Uni<List<String>> collectionNames(String workerId) {
        return collections(workerId).map(list -> {
            List<String> names = new java.util.ArrayList<>();
            list.forEach(c -> names.add(c.path("name").asText()));
            return names;
        });
    }

    /** The shared rag-service's collections, or those of the rag instance the worker was granted. */
    private Uni<JsonNode> collections(String workerId) {
        return leases(workerId).chain(entries -> {
            Optional<JsonNode> lease = entries.values().stream().filter(e -> e.path("type").asText().startsWith("rag"))
                    .filter(e -> !e.path("base_url").asText("").isEmpty()).findFirst();
            // the worker's own lease token for its rag instance, as rag_search sends it
            return rag.collections(lease.map(e -> e.path("base_url").asText()).orElse(backends.rag()), lease);
        }).onFailure(e -> !(e instanceof McpError)).transform(e -> new McpError(JsonRpc.INTERNAL_ERROR,
                "the rag-service did not list its collections: " + e.getMessage()));
    }

    /** The worker's leases without their tokens: a resource may end up in a UI or a transcript. */
    private static JsonNode leasesDocument(String workerId, Map<String, JsonNode> entries) {
        ObjectNode doc = NODES.objectNode();
        if (workerId == null) {
            doc.putNull("worker_id");
        } else {
            doc.put("worker_id", workerId);
        }
        ObjectNode leases = doc.putObject("leases");
        entries.forEach((key, entry) -> {
            ObjectNode copy = ((ObjectNode) entry).deepCopy();
            copy.remove(List.of("lease_token", "token"));
            leases.set(key, copy);
        });
        return doc;
    }

    private static McpError invalid(String uri, String reason) {
        return new McpError(JsonRpc.INVALID_PARAMS, "Invalid resource URI: " + reason,
                NODES.objectNode().put("uri", uri).put("reason", reason));
    }

    static McpError notFound(String uri) {
        return new McpError(RESOURCE_NOT_FOUND, "Resource not found", NODES.objectNode().put("uri", uri));
    }

    private static void add(ArrayNode list, String uri, String name, String description, String mimeType) {
        list.addObject().put("uri", uri).put("name", name).put("description", description).put("mimeType", mimeType);
    }

    private static JsonNode text(String uri, String mimeType, JsonNode body) {
        ObjectNode result = NODES.objectNode();
        result.putArray("contents").addObject().put("uri", uri).put("mimeType", mimeType).put("text", body.toString());
        return result;
    }

    private static JsonNode blob(String uri, String mimeType, String base64) {
        ObjectNode result = NODES.objectNode();
        result.putArray("contents").addObject().put("uri", uri).put("mimeType", mimeType).put("blob", base64);
        return result;
    }
}

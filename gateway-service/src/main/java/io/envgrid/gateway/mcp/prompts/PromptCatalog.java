package io.envgrid.gateway.mcp.prompts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.mcp.resources.ResourceUris;
import io.envgrid.gateway.mcp.surface.McpError;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * MCP prompts (2025-11-25 {@code server/prompts}): one computer-use system prompt per desktop
 * action space ({@code computer_use_<space>}, no arguments) and the task template
 * {@code desktop_task} {@code {task, action_space?, resource_id?}}. MCP messages have only the
 * roles user and assistant, so a system prompt comes as the first user message. The set is fixed,
 * so {@code prompts.listChanged} is false.
 */
@ApplicationScoped
public class PromptCatalog {

    public static final String TASK = "desktop_task";
    public static final String SYSTEM_PREFIX = "computer_use_";
    /** Protocol versions whose content blocks include {@code resource_link}. */
    private static final List<String> RESOURCE_LINKS = List.of("2025-06-18", "2025-11-25");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One prompt argument, as {@code prompts/list} shows it. */
    public record Argument(String name, String description, boolean required) {
    }

    public static final List<Argument> TASK_ARGUMENTS = List.of(
            new Argument("task", "What the agent should achieve on the desktop, in plain words", true),
            new Argument("action_space", "pyautogui, computer_13 or computer (default computer)", false),
            new Argument("resource_id", "The desktop to work on, when the worker holds several", false));

    /** {@code prompts/list}: every prompt in one page. */
    public JsonNode list() {
        ObjectNode result = NODES.objectNode();
        ArrayNode prompts = result.putArray("prompts");
        for (ActionSpace space : ActionSpace.values()) {
            prompts.addObject().put("name", SYSTEM_PREFIX + space.wireName())
                    .put("title", "Computer use with " + space.wireName())
                    .put("description", "System prompt for an agent that drives a desktop with the " + space.wireName()
                            + " tool").putArray("arguments");
        }
        ObjectNode task = prompts.addObject().put("name", TASK).put("title", "Desktop task")
                .put("description", "A task for a computer-use agent: the action space's system prompt, the task, "
                        + "and a link to the desktop's latest screenshot");
        ArrayNode arguments = task.putArray("arguments");
        TASK_ARGUMENTS.forEach(a -> arguments.addObject().put("name", a.name()).put("description", a.description())
                .put("required", a.required()));
        return result;
    }

    /** Whether a prompt of this name exists (completion asks). */
    public boolean exists(String name) {
        return TASK.equals(name) || systemPrompt(name) != null;
    }

    /**
     * {@code prompts/get {name, arguments?}} for a session speaking {@code protocolVersion}; an unknown
     * prompt, a missing {@code task} or an unknown {@code action_space} is {@code -32602}.
     */
    public JsonNode get(JsonNode params, String protocolVersion) {
        String name = params.path("name").asText("");
        JsonNode args = params.path("arguments");
        ActionSpace system = systemPrompt(name);
        ObjectNode result = NODES.objectNode();
        ArrayNode messages = NODES.arrayNode();
        if (system != null) {
            result.put("description", "System prompt for the " + system.wireName() + " action space");
            text(messages, system.instructions());
        } else if (TASK.equals(name)) {
            String task = args.path("task").asText("");
            if (task.isBlank()) {
                throw new McpError(JsonRpc.INVALID_PARAMS, "Prompt desktop_task needs the argument 'task'");
            }
            String spaceName = args.path("action_space").asText("computer");
            ActionSpace space = ActionSpace.of(spaceName).orElseThrow(() -> new McpError(JsonRpc.INVALID_PARAMS,
                    "Unknown action_space '" + spaceName + "': one of " + ActionSpace.wireNames()));
            String resourceId = args.path("resource_id").asText("");
            result.put("description", "Desktop task with the " + space.wireName() + " action space");
            text(messages, space.instructions());
            String where = resourceId.isEmpty() ? "" : " on desktop " + resourceId + " (resource_id)";
            text(messages, "Your task" + where + ": " + task);
            if (!resourceId.isEmpty()) {
                String uri = ResourceUris.screenshot(resourceId);
                if (RESOURCE_LINKS.contains(protocolVersion)) {
                    messages.addObject().put("role", "user").putObject("content").put("type", "resource_link")
                            .put("uri", uri).put("name", "screenshot " + resourceId).put("mimeType", "image/png");
                } else {
                    text(messages, "The desktop's latest screenshot is the resource " + uri + ".");
                }
            }
        } else {
            throw new McpError(JsonRpc.INVALID_PARAMS, "Unknown prompt '" + name + "'");
        }
        result.set("messages", messages);
        return result;
    }

    private static ActionSpace systemPrompt(String name) {
        return name.startsWith(SYSTEM_PREFIX) ? ActionSpace.of(name.substring(SYSTEM_PREFIX.length())).orElse(null) : null;
    }

    private static void text(ArrayNode messages, String text) {
        messages.addObject().put("role", "user").putObject("content").put("type", "text").put("text", text);
    }
}

package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A tool as data: its MCP {@code name}, {@code description}, {@code inputSchema} (the one place its
 * argument bounds are written; unknown arguments are refused), {@code outputSchema} (what
 * {@code structuredContent} holds), {@link ToolAnnotations annotations}, {@link ToolScope scope},
 * {@code system} for the resource-management tools the rollout framework's MCP client registers hidden, and
 * {@code sandboxName}: its name on the Sandbox API, {@code <backend kind>:<short name>}
 * ({@code desktop:click}, offered as {@code vm:click} under every profile resource type of the
 * {@code desktop} backend), a bare name for an API tool ({@code fetch}), null when the Sandbox
 * API does not offer it.
 */
public record ToolSpec(String name, String description, ObjectNode inputSchema, ObjectNode outputSchema,
        ToolAnnotations annotations, ToolScope scope, boolean system, String sandboxName) {

    /**
     * The {@code outputSchema} MCP's {@code tools/list} advertises: {@link #outputSchema()} or the error envelope
     * ({@code {"error": {code, message, details?, timestamp?}}}), which a failed call ({@code isError: true}) carries
     * as its {@code structuredContent}. Clients such as the official TypeScript SDK validate every structured
     * result they receive, failed ones too, against the advertised schema; the root stays {@code type: object} as
     * MCP requires.
     */
    public ObjectNode mcpOutputSchema() {
        return mcpOutputSchema(outputSchema);
    }

    /** {@link #mcpOutputSchema()} for any result schema (also a Computer's tool's, relayed by the SMCP bridge). */
    public static ObjectNode mcpOutputSchema(ObjectNode outputSchema) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode body = nodes.objectNode().put("type", "object");
        body.putArray("required").add("code").add("message");
        ObjectNode fields = body.putObject("properties");
        fields.putObject("code").put("type", "string");
        fields.putObject("message").put("type", "string");
        fields.putObject("details").putArray("type").add("object").add("null");
        fields.putObject("timestamp").put("type", "string");
        ObjectNode envelope = nodes.objectNode().put("type", "object");
        envelope.putArray("required").add("error");
        envelope.putObject("properties").set("error", body);
        ObjectNode advertised = nodes.objectNode().put("type", "object");
        advertised.putArray("anyOf").add(outputSchema.deepCopy()).add(envelope);
        return advertised;
    }

    /** Whether the call must act for a known worker. */
    public boolean needsWorker() {
        return scope.needsWorker();
    }
}

package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The MCP tool annotations (2025-11-25 {@code ToolAnnotations}): hints for a client about what a
 * call does, never a guarantee it relies on for safety. {@code readOnly}: changes nothing;
 * {@code destructive}: may undo or end something (a release, a command on a machine);
 * {@code idempotent}: calling it again with the same arguments has no further effect.
 */
public record ToolAnnotations(boolean readOnly, boolean destructive, boolean idempotent) {

    /** Reads: observations, searches, status. */
    public static final ToolAnnotations READ = new ToolAnnotations(true, false, true);
    /** Creates or extends something; repeating it is harmless (renew, set up). */
    public static final ToolAnnotations ADDITIVE_IDEMPOTENT = new ToolAnnotations(false, false, true);
    /** Creates something new each time (an allocation). */
    public static final ToolAnnotations ADDITIVE = new ToolAnnotations(false, false, false);
    /** Ends or gives back something; repeating it finds it gone (release). */
    public static final ToolAnnotations DESTRUCTIVE_IDEMPOTENT = new ToolAnnotations(false, true, true);
    /** Acts on a machine in ways that need not be undoable (clicks, typing, commands). */
    public static final ToolAnnotations ACTS = new ToolAnnotations(false, true, false);

    /** As {@code tools/list} shows it. */
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("readOnlyHint", readOnly).put("destructiveHint", destructive)
                .put("idempotentHint", idempotent);
    }
}

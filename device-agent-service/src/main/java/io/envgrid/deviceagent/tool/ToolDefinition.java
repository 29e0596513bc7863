package io.envgrid.deviceagent.tool;

import java.util.function.Function;

/**
 * One tool as data: what {@code GET /tools} shows, and what a call runs. {@code actsOnDevice}: the tool changes the
 * device or its record (runs commands, moves files, connects, edits, deletes), so on a device leased through the
 * allocator only the lease holder or a service may call it; reads and borrowing are not such tools.
 */
public record ToolDefinition(String name, String description, InputSchema inputSchema, boolean actsOnDevice,
        Function<ToolArguments, Object> handler) {
}

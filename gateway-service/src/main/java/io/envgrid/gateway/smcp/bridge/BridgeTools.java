package io.envgrid.gateway.smcp.bridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import io.envgrid.gateway.mcp.protocol.McpProtocol;
import io.envgrid.gateway.mcp.protocol.SessionTools;
import io.envgrid.gateway.mcp.protocol.ToolInvoker;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.tool.ArgumentCheck;
import io.envgrid.gateway.tool.ProgressSink;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolAnnotations;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolScope;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The MCP side of the A2C-SMCP bridge: {@code smcp_join_office {office_id}} binds the MCP session to an office
 * ({@link OfficeAccess} decides whether the token may, then and at every later call and listing),
 * {@code smcp_leave_office {}} unbinds it, and a bound session's {@code tools/list} shows every tool of the office's
 * Computers ({@link OfficeTools}), whose {@code tools/call} is relayed to the Computer ({@link RelayedToolCall}). A binding is a tool call rather than a session parameter so that
 * any MCP client can make it (clients offer no way to add parameters to {@code initialize}) and change it later.
 *
 * <p>A Computer tool is listed with its {@code params_schema} as {@code inputSchema}, its {@code return_schema} (when
 * it has one) as {@code outputSchema} (or the error envelope, as every gateway tool), and the A2C
 * {@code tool_meta} both as {@code annotations.a2c_tool_meta} and under {@code _meta} (clients drop annotation keys
 * they do not know); {@code _meta} also names the Computer and bundle.
 */
@ApplicationScoped
public class BridgeTools implements SessionTools {

    static final String JOIN = "smcp_join_office";
    static final String LEAVE = "smcp_leave_office";

    private final OfficeBindings bindings;
    private final OfficeTools officeTools;
    private final OfficeAccess access;
    private final RelayedToolCall relay;
    private final ListChangedRelay listChanged;
    private final ToolInvoker answers;
    private final ObjectMapper json;
    private final ToolSpec join = joinSpec();
    private final ToolSpec leave = leaveSpec();
    private final ArgumentCheck joinCheck = ArgumentCheck.compile(JOIN, join.inputSchema());
    private final ArgumentCheck leaveCheck = ArgumentCheck.compile(LEAVE, leave.inputSchema());

    public BridgeTools(OfficeBindings bindings, OfficeTools officeTools, OfficeAccess access, RelayedToolCall relay,
            ListChangedRelay listChanged, ToolInvoker answers, ObjectMapper json) {
        this.bindings = bindings;
        this.officeTools = officeTools;
        this.access = access;
        this.relay = relay;
        this.listChanged = listChanged;
        this.answers = answers;
        this.json = json;
    }

    @Override
    public Uni<List<ObjectNode>> list(McpSession session, Principal principal) {
        List<ObjectNode> own = new ArrayList<>(List.of(McpProtocol.listing(join), McpProtocol.listing(leave)));
        // a principal whose token no longer covers the bound office (a narrower token of the same name) sees none of it
        return bindings.officeOf(session.id(), principal).chain(office -> office == null || !access.permits(principal, office)
                ? Uni.createFrom().item(own) : officeTools.tools(office).map(tools -> {
                    tools.stream().map(this::listing).forEach(own::add);
                    return own;
                }));
    }

    @Override
    public Uni<ObjectNode> call(McpSession session, Principal principal, String name, ObjectNode arguments,
            ProgressSink progress) {
        Uni<ObjectNode> result = switch (name) {
            case JOIN -> Uni.createFrom().deferred(() -> {
                joinCheck.check(arguments);
                String office = arguments.get("office_id").asText();
                access.check(principal, office);
                return bindings.bind(session.id(), office, principal)
                        .call(previous -> listChanged.toSession(session.id()))
                        .chain(previous -> officeTools.tools(office).map(tools -> bound(office, previous, tools)));
            });
            case LEAVE -> Uni.createFrom().deferred(() -> {
                leaveCheck.check(arguments);
                return bindings.unbind(session.id())
                        .call(previous -> previous == null ? Uni.createFrom().voidItem() : listChanged.toSession(session.id()))
                        .map(previous -> answers.success(ToolResult.of(left(json.createObjectNode(), previous))));
            });
            default -> bindings.officeOf(session.id(), principal).chain(office -> {
                if (office == null) {
                    return Uni.createFrom().failure(new UnknownTool(name));
                }
                access.check(principal, office);
                return officeTools.tools(office).chain(tools -> {
                    Optional<ComputerTool> tool = tools.stream().filter(t -> t.name().equals(name)).findFirst();
                    return tool.isEmpty() ? Uni.createFrom().failure(new UnknownTool(name))
                            : relay.call(session.id(), office, access.agentName(principal), tool.get(), arguments, progress);
                });
            });
        };
        return result.onFailure(ToolFailure.class).recoverWithItem(e -> answers.failure((ToolFailure) e));
    }

    private ObjectNode bound(String office, String previous, List<ComputerTool> tools) {
        ObjectNode answer = left(json.createObjectNode().put("office_id", office), previous);
        ArrayNode names = answer.putArray("tools");
        tools.forEach(t -> names.add(t.name()));
        return answers.success(ToolResult.of(answer));
    }

    /** {@code left} only when there was an office: the SDK validates the result against the schema, where it is a string. */
    private static ObjectNode left(ObjectNode answer, String previous) {
        return previous == null ? answer : answer.put("left", previous);
    }

    private ObjectNode listing(ComputerTool tool) {
        // the name may be hashed (ExposedNames): title and description carry the names as the Computer gave them
        String title = tool.exposedName() + " on " + tool.computer();
        String origin = "A2C-SMCP tool '" + tool.exposedName() + "' of Computer '" + tool.computer() + "'.";
        ObjectNode entry = json.createObjectNode().put("name", tool.name()).put("title", title)
                .put("description", tool.description().isEmpty() ? origin : tool.description() + "\n\n" + origin);
        entry.set("inputSchema", tool.inputSchema());
        if (tool.outputSchema() != null) {
            entry.set("outputSchema", ToolSpec.mcpOutputSchema(tool.outputSchema()));
        }
        ObjectNode annotations = entry.putObject("annotations").put("title", title);
        ObjectNode meta = entry.putObject("_meta").put("a2c/computer", tool.computer()).put("a2c/exposed_name", tool.exposedName());
        if (tool.bundleId() != null) {
            meta.put("a2c/bundle_id", tool.bundleId());
        }
        if (tool.toolMeta() != null) {
            annotations.set("a2c_tool_meta", tool.toolMeta());
            meta.set("a2c_tool_meta", tool.toolMeta());
        }
        return entry;
    }

    private static ToolSpec joinSpec() {
        ObjectNode input = Schema.object().string("office_id", "The A2C-SMCP office (room) whose Computers' tools this "
                + "session should list and call", true).build();
        // the id rule, as a schema: a client sees what an office id may be; OfficeAccess checks it again per call
        ((ObjectNode) input.get("properties").get("office_id")).put("pattern", "^" + IdRule.ID.pattern() + "$");
        ObjectNode output = Schema.output().typed("office_id", "The office the session is now bound to", true, "string")
                .typed("left", "The office it was bound to before, if another", false, "string")
                .typed("tools", "The names of the office's Computer tools now listed", true, "array").build();
        // leaves the binding it had: not idempotent only in that the list of tools follows the office
        return new ToolSpec(JOIN, "Binds this MCP session to an A2C-SMCP office: tools/list then also shows the tools of "
                + "every Computer in it (named {computer}.{bundle_id}__{tool}; a part with other characters than A-Za-z0-9_- "
                + "is shortened and given a hash, the original names are in the title) and tools/call runs them on that "
                + "Computer. A session is bound to one office at a "
                + "time; binding another leaves the first.", input, output, ToolAnnotations.ADDITIVE_IDEMPOTENT,
                ToolScope.NONE, false, null);
    }

    private static ToolSpec leaveSpec() {
        ObjectNode output = Schema.output().typed("left", "The office the session was bound to (absent when none)", false,
                "string").build();
        return new ToolSpec(LEAVE, "Unbinds this MCP session from its A2C-SMCP office: the Computers' tools leave "
                + "tools/list.", Schema.object().build(), output, ToolAnnotations.DESTRUCTIVE_IDEMPOTENT, ToolScope.NONE,
                false, null);
    }
}

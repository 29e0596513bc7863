package io.envgrid.deviceagent.tool;

import static io.envgrid.deviceagent.tool.InputSchema.optional;
import static io.envgrid.deviceagent.tool.InputSchema.required;

import io.envgrid.deviceagent.access.Credentials;
import io.envgrid.deviceagent.access.Ids;
import io.envgrid.deviceagent.access.ToolAccess;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.event.EventBroadcaster;
import io.envgrid.deviceagent.fleet.HostDevice;
import io.envgrid.deviceagent.lending.Lending;
import io.envgrid.deviceagent.operation.DeviceOperations;
import io.envgrid.deviceagent.record.DeviceRecord;
import io.envgrid.deviceagent.record.DeviceRecords;
import io.envgrid.deviceagent.record.DeviceSearch;
import io.envgrid.deviceagent.record.DeviceStore;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.envgrid.deviceagent.system.SystemService;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The {@code device.*} and {@code system.*} tools of the device-management contract with their input schemas, and calling them. */
@ApplicationScoped
public class ToolRegistry {

    private static final InputSchema DEVICE_ONLY = InputSchema.of(required("device_id", "string"));
    private static final Set<String> UPDATABLE = Set.of("name", "sku", "cpu_type", "specs");
    /** The tools that act on a device (see {@link ToolDefinition#actsOnDevice}). */
    private static final Set<String> ACTING = Set.of("device.connect", "device.disconnect", "device.execute",
            "device.upload", "device.download", "device.update", "device.delete");

    private final Map<String, ToolDefinition> tools = new LinkedHashMap<>();
    private final DeviceRecords records;
    private final EventBroadcaster events;
    private final MeterRegistry metrics;
    private final ToolAccess access;
    private final AgentIdentity identity;
    private final DeviceStore store;
    /** The host device, whose calls pass its reset gate. */
    private final HostDevice host;

    public ToolRegistry(DeviceRecords records, Lending lending, DeviceOperations operations, DeviceSearch search,
            SystemService system, EventBroadcaster events, MeterRegistry metrics, ToolAccess access,
            AgentIdentity identity, DeviceStore store, HostDevice host) {
        this.host = host;
        this.access = access;
        this.identity = identity;
        this.store = store;
        this.records = records;
        this.events = events;
        this.metrics = metrics;
        add("device.list", "List all devices with their connection status", InputSchema.of(), a -> records.list());
        add("device.connect", "Connect to a device", DEVICE_ONLY, a -> operations.connect(a.string("device_id")));
        add("device.disconnect", "Disconnect from a device", DEVICE_ONLY,
                a -> operations.disconnect(a.string("device_id")));
        add("device.execute", "Run a shell command on a device (30 s limit)",
                InputSchema.of(required("device_id", "string"), required("command", "string")),
                a -> operations.execute(a.string("device_id"), a.string("command")));
        add("device.upload", "Copy a file from the device's files/ directory on the agent onto the device; "
                + "install=true installs an application package instead",
                InputSchema.of(required("device_id", "string"), required("local_path", "string"),
                        required("remote_path", "string"), optional("install", "boolean")),
                a -> operations.upload(a.string("device_id"), a.string("local_path"), a.string("remote_path"),
                        a.flag("install")));
        add("device.download", "Copy a file from the device into its files/ directory on the agent",
                InputSchema.of(required("device_id", "string"), required("remote_path", "string"),
                        required("local_path", "string")),
                a -> operations.download(a.string("device_id"), a.string("remote_path"), a.string("local_path")));
        add("device.status", "Get a device's status", DEVICE_ONLY, a -> records.status(a.string("device_id")));
        add("device.borrow", "Borrow a device",
                InputSchema.of(required("device_id", "string"), required("borrower", "string"),
                        required("purpose", "string"), required("expected_return_date", "string")),
                a -> lending.borrow(a.string("device_id"), a.string("borrower"), a.string("purpose"),
                        a.string("expected_return_date")));
        add("device.return", "Return a borrowed device",
                InputSchema.of(required("device_id", "string"), required("returner", "string")),
                a -> lending.giveBack(a.string("device_id"), a.string("returner"), a.asService()));
        add("device.info", "Get a device's full record", DEVICE_ONLY, a -> records.info(a.string("device_id")));
        add("device.create", "Create a device record",
                InputSchema.of(required("device_id", "string"), required("name", "string"), required("type", "string"),
                        required("sku", "string"), required("cpu_type", "string"), optional("specs", "object")),
                a -> records.create(DeviceRecord.create(a.string("device_id"), a.string("name"), a.string("type"),
                        a.string("sku"), a.string("cpu_type"), a.object("specs"), Instant.now().toString())));
        add("device.update", "Update a device record (name, sku, cpu_type; specs are merged)",
                InputSchema.of(required("device_id", "string"), required("updates", "object")), this::update);
        add("device.delete", "Delete a device record with its logs and files", DEVICE_ONLY,
                a -> records.delete(a.string("device_id")));
        add("device.search", "Search devices by text and filters (type, status, cpu_type, available)",
                InputSchema.of(optional("query", "string"), optional("filters", "object")),
                a -> search.search(a.string("query"), a.object("filters")));
        add("system.info", "Get the agent's version, uptime and load", InputSchema.of(), a -> system.info());
        add("system.restart", "Restart the agent: reload records, drop connections, discover again",
                InputSchema.of(), a -> system.restart());
    }

    public List<ToolDefinition> all() {
        return List.copyOf(tools.values());
    }

    /**
     * Checks the arguments (schema, then the id rule: {@code 400 INVALID_ID}), then the caller's right to make the call
     * ({@link ToolAccess#check}), runs the tool, counts the outcome, and tells {@code /ws}
     * listeners of server faults. Every refusal comes before anything changes.
     */
    public Object call(String name, Map<String, Object> arguments, Credentials caller) {
        ToolDefinition tool = tools.get(name);
        if (tool == null) {
            throw new ApiException(404, ErrorCode.TOOL_NOT_FOUND, "no tool '" + name + "'",
                    Map.of("tools", List.copyOf(tools.keySet())));
        }
        Map<String, Object> args = arguments == null ? Map.of() : arguments;
        try {
            tool.inputSchema().check(args);
            String deviceId = args.get("device_id") instanceof String id ? Ids.requireId("device_id", id) : null;
            // read before the lease check: a reset of the host device begun after it refuses the call
            long checkedAt = host.generation();
            // a device the agent has no record of cannot be acted on: the tool answers 404 itself
            access.check(name, deviceId != null && store.exists(deviceId) ? identity.deviceResourceId(deviceId) : null,
                    caller);
            ToolArguments toolArguments = new ToolArguments(args, caller);
            // device.return is not acting on the device but ending its use: it resets the host device itself, and under
            // the gate that reset would wait for its own call to leave
            Object result = host.isHost(deviceId) && !name.equals("device.return")
                    ? host.acting(checkedAt, () -> tool.handler().apply(toolArguments))
                    : tool.handler().apply(toolArguments);
            count(name, "success");
            return result;
        } catch (ApiException e) {
            count(name, e.code());
            if (e.status() >= 500) {
                events.error(e.code(), e.getMessage(), args.get("device_id") instanceof String id ? id : null);
            }
            throw e;
        } catch (RuntimeException e) {
            count(name, ErrorCode.INTERNAL_ERROR);
            events.error(ErrorCode.INTERNAL_ERROR, "tool " + name + " failed", null);
            throw e;
        }
    }

    private Object update(ToolArguments arguments) {
        Map<String, Object> updates = arguments.object("updates");
        List<String> refused = updates.keySet().stream().filter(key -> !UPDATABLE.contains(key)).sorted().toList();
        if (!refused.isEmpty()) {
            throw ApiException.badRequest("cannot update " + refused + "; updatable: " + UPDATABLE.stream().sorted().toList());
        }
        InputSchema.of(optional("name", "string"), optional("sku", "string"), optional("cpu_type", "string"),
                optional("specs", "object")).check(updates);
        ToolArguments fields = new ToolArguments(updates);
        return records.update(arguments.string("device_id"), fields.string("name"), fields.string("sku"),
                fields.string("cpu_type"), fields.object("specs"));
    }

    private void add(String name, String description, InputSchema schema, Function<ToolArguments, Object> handler) {
        tools.put(name, new ToolDefinition(name, description, schema, ACTING.contains(name), handler));
    }

    private void count(String tool, String outcome) {
        metrics.counter("envgrid.device.tool.calls", "tool", tool, "outcome", outcome).increment();
    }
}

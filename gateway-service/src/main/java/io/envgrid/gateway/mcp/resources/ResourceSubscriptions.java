package io.envgrid.gateway.mcp.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.mcp.session.Audience;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.mcp.notify.SessionNotifier;
import io.envgrid.gateway.mcp.surface.McpError;
import io.envgrid.gateway.lease.Severity;
import io.envgrid.gateway.desktop.VmTypes;
import io.envgrid.gateway.lease.RenewalRead;
import io.envgrid.gateway.lease.WorkerActivity;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.tool.ToolScope;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * {@code resources/subscribe} / {@code unsubscribe} and what they lead to. A subscription is a
 * field {@code sub:<uri>} of the session's Redis record, so it lives and ends with the session and
 * every replica sees it. Every resource is about one worker, so an update goes to that worker's
 * sessions that subscribed to the URI: {@code envgrid://worker/leases} when the worker's leases
 * change (granted, released, expired, revoked) or a renewal changed their terms ({@link #leaseTermsChanged}), a desktop's screenshot after a tool acted on it
 * through either front end (MCP or the Sandbox API). A lease change also changes what {@code resources/list} shows: every session of the worker
 * gets {@code notifications/resources/list_changed}.
 */
@ApplicationScoped
public class ResourceSubscriptions implements WorkerActivity {

    static final String FIELD_PREFIX = "sub:";
    private static final Set<String> READ_ONLY_COMPUTER_ACTIONS = Set.of("screenshot", "cursor_position");
    private static final Logger LOG = Logger.getLogger(ResourceSubscriptions.class);

    private final McpSessions sessions;
    private final SessionNotifier notifier;
    private final WorkerResources workers;
    private final int maxSubscriptions;

    public ResourceSubscriptions(McpSessions sessions, SessionNotifier notifier, WorkerResources workers,
            GatewayConfig config) {
        this.sessions = sessions;
        this.notifier = notifier;
        this.workers = workers;
        this.maxSubscriptions = config.mcp().maxSubscriptions();
    }

    /**
     * {@code resources/subscribe {uri}}: {@code {}}; a URI the gateway never serves is {@code -32602};
     * beyond {@code envgrid.gateway.mcp.max-subscriptions} per session {@code -32004} with
     * {@code data.limit} (subscribing again to a URI already subscribed always succeeds).
     */
    public Uni<JsonNode> subscribe(String sessionId, JsonNode params) {
        String uri = uriOf(params);
        return sessions.setCappedField(sessionId, FIELD_PREFIX + uri, "1", FIELD_PREFIX, maxSubscriptions).map(set -> switch (set) {
            case SET -> (JsonNode) JsonNodeFactory.instance.objectNode();
            case SESSION_GONE -> throw new McpError(JsonRpc.SESSION_NOT_FOUND, "Session not found");
            case CAP_REACHED -> throw new McpError(JsonRpc.LIMIT_REACHED, "this session already has " + maxSubscriptions
                    + " resource subscriptions, the most it may hold: unsubscribe from one first",
                    JsonNodeFactory.instance.objectNode().put("limit", maxSubscriptions).put("uri", uri));
        });
    }

    /** {@code resources/unsubscribe {uri}}: {@code {}}, also when there was no such subscription. */
    public Uni<JsonNode> unsubscribe(String sessionId, JsonNode params) {
        String uri = uriOf(params);
        return sessions.deleteField(sessionId, FIELD_PREFIX + uri).replaceWith(JsonNodeFactory.instance.objectNode());
    }

    private static String uriOf(JsonNode params) {
        String uri = params.path("uri").asText("");
        if (!ResourceUris.served(uri)) {
            throw new McpError(JsonRpc.INVALID_PARAMS, "No resource of this gateway has the URI '" + uri + "'",
                    JsonNodeFactory.instance.objectNode().put("uri", uri));
        }
        return uri;
    }

    @Override
    public void report(String workerId, Severity severity, String event, ObjectNode details) {
        // log messages are the logging feature's
    }

    @Override
    public void leasesChanged(String workerId) {
        updated(workerId, ResourceUris.LEASES)
                .chain(() -> notifier.toWorker(workerId, Audience.everySession(),
                        JsonRpc.notification("notifications/resources/list_changed", JsonNodeFactory.instance.objectNode())))
                .subscribe().with(v -> { }, e -> LOG.warnf("lease change of %s not told: %s", workerId, e.getMessage()));
    }

    /**
     * The leases document changed (a renewal's new expiry or fencing token); the list of resources did not. The
     * subscribers come selected with the renewal's write ({@link #renewalRead}) when it was a {@code renew_resources};
     * else (the keep-alive's) they are looked up here.
     */
    @Override
    public void leaseTermsChanged(String workerId, Response read) {
        Uni<Void> told = read == null ? updated(workerId, ResourceUris.LEASES)
                : notifier.toSessions(McpSessions.wanted(read), updatedMessage(ResourceUris.LEASES));
        told.subscribe().with(v -> { }, e -> LOG.warnf("lease renewal of %s not told: %s", workerId, e.getMessage()));
    }

    /**
     * The worker's sessions subscribed to {@code envgrid://worker/leases}, selected by the renewal's own script right
     * after its write: one Redis exchange per {@code renew_resources} for the write and the look-up.
     */
    @Override
    public RenewalRead renewalRead() {
        return sessions.wantingRead(Audience.having(FIELD_PREFIX + ResourceUris.LEASES));
    }

    /**
     * A tool that changes a desktop succeeded: {@code setup_batch_resources} (its init commands), or
     * a tool acting on one desktop the worker holds that is not read-only by its annotations (the
     * {@code computer} tool's {@code screenshot} and {@code cursor_position} actions read only).
     */
    @Override
    public void toolSucceeded(String workerId, ToolSpec tool, ObjectNode arguments) {
        if (changesDesktop(tool, arguments)) {
            desktopActed(workerId, arguments.hasNonNull("resource_id") ? arguments.get("resource_id").asText() : null);
        }
    }

    private static boolean changesDesktop(ToolSpec tool, ObjectNode arguments) {
        if ("setup_batch_resources".equals(tool.name())) {
            return true;
        }
        if (!(tool.scope() instanceof ToolScope.Session session) || !"desktop".equals(session.backendKind())
                || tool.annotations().readOnly()) {
            return false;
        }
        return !("computer".equals(tool.name()) && READ_ONLY_COMPUTER_ACTIONS.contains(arguments.path("action").asText()));
    }

    /**
     * A tool acted on the worker's desktop(s): {@code resourceId}, or every desktop it holds
     * when the call named none. Subscribers of those screenshots are told.
     */
    public void desktopActed(String workerId, String resourceId) {
        Uni<java.util.List<String>> ids = resourceId != null ? Uni.createFrom().item(java.util.List.of(resourceId))
                : workers.all(workerId).map(entries -> entries.values().stream()
                        .filter(e -> VmTypes.isVm(e.path("type").asText())).map(e -> e.path("id").asText()).toList());
        ids.onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(id -> updated(workerId, ResourceUris.screenshot(id)))
                .collect().last()
                .subscribe().with(v -> { }, e -> LOG.warnf("screenshot update of %s not told: %s", workerId, e.getMessage()));
    }

    private Uni<Void> updated(String workerId, String uri) {
        return notifier.toWorker(workerId, Audience.having(FIELD_PREFIX + uri), updatedMessage(uri));
    }

    private static ObjectNode updatedMessage(String uri) {
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("uri", uri);
        return JsonRpc.notification("notifications/resources/updated", params);
    }
}

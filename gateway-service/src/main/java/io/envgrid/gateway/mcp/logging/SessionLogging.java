package io.envgrid.gateway.mcp.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.mcp.session.Audience;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.mcp.notify.SessionNotifier;
import io.envgrid.gateway.mcp.surface.McpError;
import io.envgrid.gateway.lease.Severity;
import io.envgrid.gateway.lease.WorkerActivity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import org.jboss.logging.Logger;

/**
 * MCP logging (2025-11-25 {@code server/utilities/logging}): {@code logging/setLevel} stores the
 * session's minimum level in its Redis record (field {@code log_level}), so every replica filters
 * alike; what the gateway does on a worker's behalf is sent to each of the worker's sessions at or
 * above its level as {@code notifications/message} with logger {@code envgrid.gateway} and data
 * {@code {event, ...details}}. A session that never set a level gets no log messages.
 */
@ApplicationScoped
public class SessionLogging implements WorkerActivity {

    static final String LEVEL_FIELD = "log_level";
    public static final String LOGGER = "envgrid.gateway";
    private static final Logger LOG = Logger.getLogger(SessionLogging.class);

    private final McpSessions sessions;
    private final SessionNotifier notifier;

    public SessionLogging(McpSessions sessions, SessionNotifier notifier) {
        this.sessions = sessions;
        this.notifier = notifier;
    }

    /** {@code logging/setLevel {level}}: {@code {}}; an unknown level is {@code -32602}. */
    public Uni<JsonNode> setLevel(String sessionId, JsonNode params) {
        String asked = params.path("level").asText("");
        Severity level = Severity.of(asked).orElseThrow(() -> new McpError(JsonRpc.INVALID_PARAMS,
                "Invalid log level '" + asked + "': one of debug, info, notice, warning, error, critical, alert, emergency"));
        return sessions.setField(sessionId, LEVEL_FIELD, level.wireName()).map(set -> {
            if (!set) {
                throw new McpError(JsonRpc.SESSION_NOT_FOUND, "Session not found");
            }
            return JsonNodeFactory.instance.objectNode();
        });
    }

    @Override
    public void report(String workerId, Severity severity, String event, ObjectNode details) {
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("level", severity.wireName()).put("logger", LOGGER);
        ObjectNode data = params.putObject("data").put("event", event).put("worker_id", workerId);
        data.setAll(details);
        notifier.toWorker(workerId, audience(severity), JsonRpc.notification("notifications/message", params))
                .subscribe().with(v -> { }, e -> LOG.warnf("log message %s for worker %s not sent: %s", event, workerId,
                        e.getMessage()));
    }

    @Override
    public void leasesChanged(String workerId) {
        // a lease change is reported as a resource change (resources feature), not as a log message
    }

    /** The sessions whose level is at most {@code severity}: a session that set no level is not among them. */
    static Audience audience(Severity severity) {
        return Audience.havingOneOf(LEVEL_FIELD, Arrays.stream(Severity.values())
                .filter(min -> severity.compareTo(min) >= 0).map(Severity::wireName).toList());
    }
}

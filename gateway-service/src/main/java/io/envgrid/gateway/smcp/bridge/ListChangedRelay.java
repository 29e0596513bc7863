package io.envgrid.gateway.smcp.bridge;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.mcp.notify.SessionNotifier;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.smcp.office.OfficeNotice;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * {@code notify:update_tool_list}, and a Computer entering or leaving an office, become MCP
 * {@code notifications/tools/list_changed} for every MCP session bound to that office. The office broadcasts on the
 * replica where the change arrived (or that evicted a dead replica's members); the sessions' streams may be anywhere,
 * so each message goes through {@link SessionNotifier}: written to the replica holding the session's stream and
 * recorded in its Redis event stream for {@code Last-Event-ID}. A session that ended or was bound elsewhere since is
 * pruned from the office's set instead, and a binding whose token has expired ({@link OfficeBindings#live}) ends.
 */
@ApplicationScoped
public class ListChangedRelay {

    private static final Logger LOG = Logger.getLogger(ListChangedRelay.class);
    private static final ObjectNode LIST_CHANGED = JsonRpc.notification("notifications/tools/list_changed",
            JsonNodeFactory.instance.objectNode());

    private final OfficeBindings bindings;
    private final OfficeTools tools;
    private final SessionNotifier notifier;

    public ListChangedRelay(OfficeBindings bindings, OfficeTools tools, SessionNotifier notifier) {
        this.bindings = bindings;
        this.tools = tools;
        this.notifier = notifier;
    }

    void onNotice(@Observes OfficeNotice notice) {
        if (!notice.changesTools()) {
            return;
        }
        String office = notice.officeId();
        tools.invalidate(office)
                .chain(() -> bindings.sessionsIn(office))
                .onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndMerge(id -> notifier.toSession(id, fields -> bound(fields, office),
                                LIST_CHANGED.deepCopy())
                        .chain(sent -> sent ? Uni.createFrom().voidItem() : bindings.unreachable(office, id)))
                .collect().last()
                .subscribe().with(v -> { }, e -> LOG.warnf("tools/list_changed for office '%s' failed: %s", office, e.getMessage()));
    }

    /** Bound to {@code office} by a token that has not expired nor been revoked. */
    private boolean bound(Map<String, String> fields, String office) {
        return office.equals(fields.get(BridgeKeys.SESSION_FIELD)) && bindings.live(fields, Instant.now());
    }

    /** One session's tool list changed (it was bound or unbound). */
    Uni<Void> toSession(String sessionId) {
        return notifier.toSession(sessionId, fields -> true, LIST_CHANGED.deepCopy()).replaceWithVoid();
    }
}

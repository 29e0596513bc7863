package io.envgrid.gateway.sandbox.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.sandbox.backend.SandboxBackend;
import io.envgrid.gateway.sandbox.backend.SessionBackend;
import io.envgrid.gateway.sandbox.backend.SessionContext;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The sessions of one {@code /execute} or {@code /execute/batch} request: a stateful backend's
 * call uses the worker's explicit session when it has one, else a temporary session opened once
 * for the request (shared by a batch's calls on that backend) and closed by {@link #close()}; a
 * backend without {@link SessionBackend#temporarySessions()} runs such a call in no session.
 */
public final class CallScope {

    private static final Logger LOG = Logger.getLogger(CallScope.class);

    private final String workerId;
    private final SandboxSessions sessions;
    private record Opened(SessionBackend backend, Binding binding) {
    }

    private final Map<String, Uni<Binding>> temporaries = new ConcurrentHashMap<>();
    private final List<Opened> opened = Collections.synchronizedList(new ArrayList<>());

    public CallScope(String workerId, SandboxSessions sessions) {
        this.workerId = workerId;
        this.sessions = sessions;
    }

    public Uni<Binding> bind(SandboxBackend backend) {
        if (!(backend instanceof SessionBackend stateful)) {
            return Uni.createFrom().item(sessionless());
        }
        if (workerId == null && !stateful.temporarySessions()) {
            return Uni.createFrom().item(sessionless());
        }
        if (workerId == null) {
            throw ToolFailure.invalid("'worker_id' is required for " + backend.profile().resourceType() + " tools");
        }
        String type = backend.profile().resourceType();
        return sessions.find(workerId, type).chain(found -> {
            if (found.isEmpty()) {
                // a backend whose profile leases nothing serves a call outside a session as a stateless one does
                return stateful.temporarySessions() ? temporaries.computeIfAbsent(type, t -> open(stateful).memoize().indefinitely())
                        : Uni.createFrom().item(sessionless());
            }
            if (!SandboxSessions.READY.equals(found.get().path("state").asText())) {
                throw new ToolFailure(409, ErrorCode.SESSION_BUSY, "the " + type + " session of worker '" + workerId
                        + "' is still being created", Map.of("resource_type", type));
            }
            ObjectNode session = found.get();
            return sessions.touch(workerId, type).replaceWith(new Binding(new SessionContext(workerId, session.get("resource"),
                    session.get("config")), session.path("session_id").asText(), false));
        });
    }

    /** A call that runs in no session: a stateless backend's, or one whose backend needs none for it. */
    private Binding sessionless() {
        return new Binding(SessionContext.none(workerId), null, false);
    }

    private Uni<Binding> open(SessionBackend backend) {
        String type = backend.profile().resourceType();
        return Uni.createFrom().deferred(() -> backend.initialize(workerId, backend.profile().config()))
                .map(resource -> {
                    Binding binding = new Binding(new SessionContext(workerId, resource, backend.profile().config()),
                            type + "_tmp_" + UUID.randomUUID(), true);
                    opened.add(new Opened(backend, binding));
                    return binding;
                });
    }

    /** Gives back every temporary session; failures are logged (the leases still expire on their own). */
    public Uni<Void> close() {
        List<Uni<Void>> cleanups = new ArrayList<>();
        synchronized (opened) {
            for (Opened open : opened) {
                Binding binding = open.binding();
                cleanups.add(open.backend().cleanup(workerId, binding.context().resource()).onFailure().recoverWithUni(e -> {
                    LOG.warnf("temporary session %s of worker %s not cleaned up: %s", binding.sessionId(), workerId,
                            e.getMessage());
                    return Uni.createFrom().voidItem();
                }));
            }
        }
        return cleanups.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(cleanups).andCollectFailures().replaceWithVoid();
    }
}

package io.envgrid.gateway.sandbox.session;

import io.envgrid.gateway.sandbox.backend.SessionContext;

/** The session a call runs in: explicit (reused across calls) or temporary (opened and closed around the call). */
public record Binding(SessionContext context, String sessionId, boolean temporary) {
}

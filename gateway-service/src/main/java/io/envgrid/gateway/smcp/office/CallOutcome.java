package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * How a {@code client:*} call relayed to a Computer ended (public for the MCP bridge, {@code smcp.bridge}). Callers
 * dispatch with {@link #on(Cases)}: Java 17 has no pattern switch, and a visitor is what makes the compiler name
 * every caller when an outcome is added.
 */
public sealed interface CallOutcome permits CallOutcome.Answered, CallOutcome.Gone, CallOutcome.TimedOut,
        CallOutcome.Saturated {

    /** Answers what {@code cases} makes of this outcome. */
    <T> T on(Cases<T> cases);

    /** One answer per outcome. */
    interface Cases<T> {
        T answered(Answered answered);

        T gone(Gone gone);

        T saturated(Saturated saturated);

        T timedOut(TimedOut timedOut);
    }

    /** The Computer acknowledged with these arguments (passed to the agent verbatim). */
    record Answered(ArrayNode args) implements CallOutcome {
        @Override
        public <T> T on(Cases<T> cases) {
            return cases.answered(this);
        }
    }

    /** The Computer disconnected before answering, or is not in the office (the agent gets the flat 404 at once). */
    record Gone() implements CallOutcome {
        @Override
        public <T> T on(Cases<T> cases) {
            return cases.gone(this);
        }
    }

    /**
     * A cap was reached and the call was not sent (the agent gets 429): {@code scope} {@code "socket"} (the calling
     * agent's calls), {@code "session"} (an MCP session's bridge calls), {@code "office"} (the office's calls on this
     * replica) or {@code "computer"} (the answers the Computer owes), whose cap is {@code limit}.
     */
    record Saturated(String scope, int limit) implements CallOutcome {
        @Override
        public <T> T on(Cases<T> cases) {
            return cases.saturated(this);
        }
    }

    /** No answer within the timeout: the agent gets no acknowledgement, as from the reference server. */
    record TimedOut() implements CallOutcome {
        @Override
        public <T> T on(Cases<T> cases) {
            return cases.timedOut(this);
        }
    }
}

package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.node.ArrayNode;

/** How a {@code client:*} call relayed to a Computer ended (public for the MCP bridge, {@code smcp.bridge}). */
public sealed interface CallOutcome permits CallOutcome.Answered, CallOutcome.Gone, CallOutcome.TimedOut,
        CallOutcome.Saturated {

    /** The Computer acknowledged with these arguments (passed to the agent verbatim). */
    record Answered(ArrayNode args) implements CallOutcome {
    }

    /** The Computer disconnected before answering (the agent gets the flat 404 at once). */
    record Gone() implements CallOutcome {
    }

    /** The Computer already owes as many answers as it may; the call was not sent (the agent gets 429). */
    record Saturated() implements CallOutcome {
    }

    /** No answer within the timeout: the agent gets no acknowledgement, as from the reference server. */
    record TimedOut() implements CallOutcome {
    }
}

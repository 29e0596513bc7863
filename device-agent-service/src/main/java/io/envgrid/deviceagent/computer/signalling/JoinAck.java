package io.envgrid.deviceagent.computer.signalling;

import org.json.JSONObject;

/**
 * The answer to {@code server:join_office} in either generation: 0.4 acknowledges with two arguments
 * {@code (true, null)} / {@code (false, "<message>")}, 0.5 with none on success and one flat ErrorPayload on failure.
 */
sealed interface JoinAck {

    /** In the office. */
    record Joined() implements JoinAck {
    }

    /** Refused, with the server's message (and code, 0 for a 0.4 refusal). */
    record Refused(int code, String message) implements JoinAck {
    }

    static JoinAck parse(Object[] args) {
        if (args.length == 0 || (args.length >= 1 && Boolean.TRUE.equals(args[0]))) {
            return new Joined();
        }
        if (args[0] instanceof JSONObject error) {
            return new Refused(error.optInt("code", 0), error.optString("message", "refused"));
        }
        if (Boolean.FALSE.equals(args[0])) {
            return new Refused(0, args.length > 1 ? String.valueOf(args[1]) : "refused");
        }
        return new Refused(0, "unexpected join answer: " + args[0]);
    }
}

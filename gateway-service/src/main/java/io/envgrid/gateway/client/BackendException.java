package io.envgrid.gateway.client;

/** A backend that could not be asked: the failures the circuit breakers count and idempotent calls retry. */
public abstract sealed class BackendException extends RuntimeException {

    protected BackendException(String message, Throwable cause) {
        super(message, cause);
    }

    /** No connection could be made, or it broke before an answer. */
    public static final class Unreachable extends BackendException {
        public Unreachable(String target, Throwable cause) {
            super(target + " is unreachable: " + cause.getMessage(), cause);
        }
    }

    /** No answer within the call's deadline. */
    public static final class TimedOut extends BackendException {
        public TimedOut(String target, long millis) {
            super(target + " did not answer within " + millis + " ms", null);
        }
    }
}

package io.envgrid.deviceagent.fleet;

/** A step of a desktop's reset that failed; its message is the reason reported to the allocator. */
final class ResetFailure extends Exception {

    ResetFailure(String reason) {
        super(reason);
    }

    ResetFailure(String reason, Throwable cause) {
        super(reason + ": " + cause.getMessage(), cause);
    }
}

package io.envgrid.deviceagent.allocatorclient;

/** The allocator did not answer, or answered with a server fault; worth retrying, unlike a 4xx. */
public class AllocatorUnavailableException extends RuntimeException {

    public AllocatorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

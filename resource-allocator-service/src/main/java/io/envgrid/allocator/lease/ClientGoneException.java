package io.envgrid.allocator.lease;

/**
 * An allocation whose HTTP client went away before it could be answered: its ticket is withdrawn
 * and anything granted to it released. Nobody receives the response; it maps to 499.
 */
public final class ClientGoneException extends RuntimeException {

    public ClientGoneException() {
        super("the client went away before its allocation could be answered", null, false, false);
    }
}

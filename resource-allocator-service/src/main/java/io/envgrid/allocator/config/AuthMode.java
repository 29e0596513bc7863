package io.envgrid.allocator.config;

/**
 * {@code envgrid.allocator.auth}: {@code token} (default) needs the service token configured and on every API
 * call; {@code open} asks nobody for anything (local development, logged as a warning at start).
 */
public enum AuthMode {
    TOKEN, OPEN
}

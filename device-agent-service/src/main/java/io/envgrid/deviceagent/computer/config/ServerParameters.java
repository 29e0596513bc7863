package io.envgrid.deviceagent.computer.config;

/** How a hosted MCP server is reached: the {@code server_parameters} of its config, chosen by its {@code type}. */
public sealed interface ServerParameters permits StdioParameters, HttpServerParameters {

    /** What identifies the connection when no name gives a bundle id (command line or URL). */
    String connectionIdentity();

    /** The config's {@code type}: {@code stdio}, {@code streamable} or {@code sse}. */
    String typeName();

    /** These parameters as they may leave the host: literal secrets masked, placeholders kept ({@link Redaction}). */
    ServerParameters redacted();
}

package io.envgrid.deviceagent.computer.hosting;

/** A CDI event: what of the Computer changed (the signalling client sends the matching {@code server:update_*}). */
public enum ComputerChange {
    /** The exposed tools: a server started, stopped, or announced a new list. */
    TOOLS,
    /** The config: a server or input added, replaced or removed. */
    CONFIG,
    /** The desktop: a server announced a changed resource list (its {@code window://} resources). */
    DESKTOP
}

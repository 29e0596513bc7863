package io.envgrid.gateway.sandbox.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * A Sandbox configuration profile (seeds 002/003), variables expanded and checked: the server's
 * settings, the resource backends by resource type (the prefix of their tools' names) and the
 * configuration of each API tool by its config key.
 */
public record SandboxProfile(String title, int sessionTtlSeconds, Map<String, ResourceProfile> resources,
        Map<String, ObjectNode> apis) {
}

package io.envgrid.gateway.sandbox.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One entry of a profile's {@code resources}: the resource type, the backend serving it and its default config. */
public record ResourceProfile(String resourceType, BackendKind backend, String description, ObjectNode config) {
}

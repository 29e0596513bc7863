package io.envgrid.gateway.backend;

import com.fasterxml.jackson.databind.JsonNode;

/** A backend's answer: status, JSON body (a missing or non-JSON body is a text node) and whether the allocator replayed it. */
public record Reply(int status, JsonNode body, boolean replayed) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }
}

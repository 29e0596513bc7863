package io.envgrid.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A backend's answer: status and JSON body (a missing or non-JSON body is a text node). */
public record Reply(int status, JsonNode body) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }
}

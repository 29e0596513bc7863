package io.envgrid.deviceagent.computer.hosting;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A hosted server as {@code GET /computer/servers} shows it: {@code state} ({@code starting}, {@code running},
 * {@code waiting_to_restart}, {@code stopped}; {@code disabled} for a disabled one), how often it was started, why
 * the last start or run ended (null while running), how many tools it lists.
 */
public record ServerStatus(@JsonProperty("bundle_id") String bundleId, @JsonProperty("type") String type,
        @JsonProperty("state") String state, @JsonProperty("starts") int starts,
        @JsonProperty("last_error") String lastError, @JsonProperty("tools") int tools) {
}

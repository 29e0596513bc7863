package io.envgrid.deviceagent.computer.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The Computer's configuration file ({@code envgrid.device-agent.computer.config-file}): its inputs and the MCP
 * servers it hosts, in order (of two servers with one bundle id only the first is hosted).
 */
@RegisterForReflection
public record ComputerSetup(@JsonProperty("inputs") List<McpServerInput> inputs,
        @JsonProperty("servers") List<McpServerConfig> servers) {

    public ComputerSetup {
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        servers = servers == null ? List.of() : List.copyOf(servers);
    }
}

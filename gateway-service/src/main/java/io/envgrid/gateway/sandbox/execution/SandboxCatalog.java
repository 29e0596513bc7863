package io.envgrid.gateway.sandbox.execution;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.fetch.ApiTools;
import io.envgrid.gateway.sandbox.backend.SandboxBackend;
import io.envgrid.gateway.sandbox.backend.SandboxBackends;
import io.envgrid.gateway.sandbox.profile.ApiToolKind;
import io.envgrid.gateway.sandbox.profile.ProfileException;
import io.envgrid.gateway.sandbox.profile.ProfileSource;
import io.envgrid.gateway.sandbox.profile.SandboxProfile;
import io.envgrid.gateway.tool.Tool;
import io.envgrid.gateway.tool.ToolRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The Sandbox API's backends and tool names, built from the configuration profile at start-up (an
 * invalid profile stops the start with every problem listed): each registry tool whose Sandbox
 * name is {@code <backend kind>:<short>} is offered as {@code <type>:<short>} under every resource
 * type of that backend kind, and the profile's API tools under their own names. Seed 002's name
 * resolution:
 * the full name ({@code vm:screenshot}); a bare name when one tool has it ({@code screenshot});
 * an API tool under any prefix that is not a backend ({@code web:fetch} → {@code fetch}).
 */
@ApplicationScoped
public class SandboxCatalog {

    private static final Logger LOG = Logger.getLogger(SandboxCatalog.class);

    private final SandboxProfile profile;
    private final Map<String, SandboxBackend> backends = new LinkedHashMap<>();
    private final Map<String, SandboxTool> tools = new LinkedHashMap<>();
    private final Map<String, List<SandboxTool>> byShortName = new LinkedHashMap<>();

    public SandboxCatalog(GatewayConfig config, ObjectMapper json, SandboxBackends backendFactory, ApiTools apiTools,
            ToolRegistry registry) {
        try {
            this.profile = ProfileSource.load(config.sandbox().profile().filter(p -> !p.isBlank()).orElse(null), json, System::getenv);
        } catch (ProfileException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        profile.resources().forEach((type, resource) -> {
            SandboxBackend backend = backendFactory.create(resource);
            backends.put(type, backend);
            String kindPrefix = resource.backend().profileName() + ":";
            for (Tool tool : registry.all()) {
                String sandboxName = tool.spec().sandboxName();
                if (sandboxName != null && sandboxName.startsWith(kindPrefix)) {
                    String shortName = sandboxName.substring(kindPrefix.length());
                    add(new SandboxTool(type + ":" + shortName, shortName, type, tool));
                }
            }
        });
        profile.apis().forEach((key, apiConfig) -> {
            Tool tool = apiTools.create(ApiToolKind.forConfigKey(key).orElseThrow(), apiConfig);
            registry.registerSandboxOnly(tool);
            String name = tool.spec().sandboxName();
            add(new SandboxTool(name, name, null, tool));
        });
        LOG.infof("sandbox profile '%s': backends %s, %d tools", profile.title(), backends.keySet(), tools.size());
    }

    private void add(SandboxTool tool) {
        if (tools.putIfAbsent(tool.name(), tool) != null) {
            throw new IllegalStateException("two sandbox tools are named " + tool.name());
        }
        byShortName.computeIfAbsent(tool.shortName(), k -> new ArrayList<>()).add(tool);
    }

    public SandboxProfile profile() {
        return profile;
    }

    public Map<String, SandboxBackend> backends() {
        return backends;
    }

    public Optional<SandboxBackend> backend(String resourceType) {
        return Optional.ofNullable(backends.get(resourceType));
    }

    public Collection<SandboxTool> tools() {
        return tools.values();
    }

    /** The tool an action names; 404 {@code UNKNOWN_TOOL} or 400 when a bare name is ambiguous. */
    public SandboxTool resolve(String action) {
        SandboxTool exact = tools.get(action);
        if (exact != null) {
            return exact;
        }
        int colon = action.indexOf(':');
        if (colon > 0) {
            String prefix = action.substring(0, colon);
            SandboxTool api = tools.get(action.substring(colon + 1));
            if (!backends.containsKey(prefix) && api != null && api.resourceType() == null) {
                return api;
            }
            throw unknown(action);
        }
        List<SandboxTool> candidates = byShortName.getOrDefault(action, List.of());
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw unknown(action);
        }
        throw new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, "'" + action + "' names several tools; use the full name",
                Map.of("candidates", candidates.stream().map(SandboxTool::name).toList()));
    }

    private ToolFailure unknown(String action) {
        return new ToolFailure(404, ErrorCode.UNKNOWN_TOOL, "unknown tool '" + action + "'; GET /tools lists them",
                Map.of("backends", List.copyOf(backends.keySet())));
    }
}

package io.envgrid.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.id.KeyPart;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * A device agent (its REST face): {@code POST /tools/{name}/call} with the tool's arguments. Its address is the
 * lease's {@code agent_url}, which the agent (or whoever registered the device) wrote into the record: every call
 * presents the worker's lease token only ({@link Credential.Lease}), never the service token.
 */
@ApplicationScoped
public class DeviceAgentApi {

    /** The agent's own command limit is 30 s; its answer may take a little longer to arrive. */
    private static final Duration CALL_MARGIN = Duration.ofSeconds(5);

    private final Downstream downstream;
    private final Duration timeout;

    public DeviceAgentApi(Downstream downstream, GatewayConfig config) {
        this.downstream = downstream;
        this.timeout = config.downstream().timeout().plus(Duration.ofSeconds(30)).plus(CALL_MARGIN);
    }

    /**
     * {@code GET /resources/{path}} of the agent's {@code mcp://test-devices/} tree ({@code path} as in the URI,
     * each segment still percent-encoded): {@code {uri, name, description, mimeType, contents}}; with the
     * lease's token, so the agent may hold the reader to the device's live lease.
     */
    public Uni<JsonNode> resource(String agentUrl, String path, JsonNode lease) {
        String base = agentUrl.endsWith("/") ? agentUrl.substring(0, agentUrl.length() - 1) : agentUrl;
        return downstream.json("device-agent", HttpMethod.GET, base + "/resources/" + path, null, timeout, true,
                Credential.leaseOf(lease));
    }

    /**
     * Runs a tool on the agent for the device of allocation entry {@code lease} (its lease token goes
     * along as {@code X-Envgrid-Lease-Token}); reads may be retried, a command or a transfer is not.
     */
    public Uni<JsonNode> call(String agentUrl, String tool, JsonNode arguments, JsonNode lease, boolean idempotent) {
        String base = agentUrl.endsWith("/") ? agentUrl.substring(0, agentUrl.length() - 1) : agentUrl;
        return downstream.json("device-agent", HttpMethod.POST, base + "/tools/" + KeyPart.pathSegment(tool) + "/call",
                arguments, timeout, idempotent, Credential.leaseOf(lease));
    }
}

package io.envgrid.allocator.auth;

import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.config.AuthMode;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Who may call the API, decided once at start: {@code envgrid.allocator.auth=token} (the default) needs
 * {@code envgrid.allocator.service-token}, and the allocator does not start without it; {@code open} must be
 * asked for and is logged as a warning. In token mode a bearer token is either the service token
 * ({@link Principal.Service}) or, when {@code envgrid.allocator.agent-token-key} is set, an agent token
 * ({@link Principal.Agent}), which reaches only the inventory ({@code /resources…}, {@code /stats}) and
 * {@code /leases/verify}: allocating, releasing and renewing take a worker id, which only a trusted service
 * passes on.
 */
@ApplicationScoped
public class AccessPolicy {

    private static final Logger LOG = Logger.getLogger(AccessPolicy.class);
    private static final String BEARER = "Bearer ";

    private final boolean open;
    private final Optional<byte[]> serviceToken;
    private final Optional<AgentTokens> agentTokens;

    /**
     * @throws IllegalStateException when the settings leave it unclear who may call: token mode without a
     *                                  service token, or open mode with tokens (the allocator does not start)
     */
    @Inject
    public AccessPolicy(AllocatorConfig config) {
        this(config.auth(), config.serviceToken(), config.agentTokenKey());
    }

    /** As above, from the three settings themselves. */
    public AccessPolicy(AuthMode mode, Optional<String> serviceToken, Optional<String> agentTokenKey) {
        this.open = mode == AuthMode.OPEN;
        this.serviceToken = serviceToken.filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
        this.agentTokens = agentTokenKey.filter(k -> !k.isBlank()).map(AgentTokens::new);
        boolean configured = this.serviceToken.isPresent() || this.agentTokens.isPresent();
        if (open && configured) {
            throw new IllegalStateException("envgrid.allocator.auth=open and a service token or agent-token key are both "
                    + "configured: drop one (open admits every caller, tokens admit only their holders)");
        }
        if (!open && this.serviceToken.isEmpty()) {
            throw new IllegalStateException("no service token: set envgrid.allocator.service-token "
                    + "(ENVGRID_ALLOCATOR_SERVICE_TOKEN), or run without tokens with envgrid.allocator.auth=open "
                    + "(ENVGRID_ALLOCATOR_AUTH=open; any caller may then act as any worker and any agent)");
        }
    }

    void announce(@Observes StartupEvent start) {
        if (open) {
            LOG.warn("*** envgrid.allocator.auth=open: no bearer token is asked for; ANY caller may allocate as ANY worker, "
                    + "release its leases and report resets of any resource. For local development only.");
        } else {
            LOG.infof("API calls need the service token%s", agentTokens.isPresent() ? " or an agent token" : "");
        }
    }

    /**
     * The principal an {@code Authorization} header proves for a call to {@code path}.
     *
     * @throws ApiException 401 {@code UNAUTHORIZED} for a missing or unknown token; 403 {@code FORBIDDEN} for an
     *                      agent token outside the inventory
     */
    public Principal authenticate(String authorization, String path) {
        if (open) {
            return new Principal.Open();
        }
        if (authorization == null || !authorization.startsWith(BEARER)) {
            throw new ApiException(401, ErrorCode.UNAUTHORIZED, "a bearer token is required");
        }
        String presented = authorization.substring(BEARER.length());
        if (MessageDigest.isEqual(serviceToken.orElseThrow(), presented.getBytes(StandardCharsets.UTF_8))) {
            return new Principal.Service();
        }
        Optional<String> agent = agentTokens.flatMap(tokens -> tokens.verify(presented));
        if (agent.isEmpty()) {
            throw new ApiException(401, ErrorCode.UNAUTHORIZED, "the bearer token is not valid");
        }
        if (!agentMayCall(path)) {
            throw new ApiException(403, ErrorCode.FORBIDDEN, "an agent token reaches only the inventory and /leases/verify");
        }
        return new Principal.Agent(agent.get());
    }

    /** The principal of the operator's own actions inside the allocator (the inventory file): the service token's, or open. */
    public Principal operator() {
        return open ? new Principal.Open() : new Principal.Service();
    }

    /** True for the paths an agent token may call: the inventory and {@code /leases/verify}. */
    public static boolean agentMayCall(String path) {
        return path.equals("/resources") || path.startsWith("/resources/") || path.equals("/stats")
                || path.equals("/leases/verify");
    }
}

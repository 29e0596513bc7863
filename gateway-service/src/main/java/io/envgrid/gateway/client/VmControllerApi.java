package io.envgrid.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.id.KeyPart;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;

/**
 * The vm-controller-service: controller sessions per (worker, resource), observations and actions.
 * Every call names the allocation entry it acts on and carries that entry's lease token, with the
 * service token ({@link Credential.ServiceAndLease}): the controller is a configured backend that
 * takes the {@code worker_id} from the gateway and checks the lease token itself.
 */
@ApplicationScoped
public class VmControllerApi {

    private static final String NAME = "vm-controller";

    private final Downstream downstream;
    private final Backends backends;
    private final Duration timeout;
    private final Duration actionTimeout;

    public VmControllerApi(Downstream downstream, Backends backends, GatewayConfig config) {
        this.downstream = downstream;
        this.backends = backends;
        this.timeout = config.downstream().timeout();
        this.actionTimeout = config.downstream().actionTimeout();
    }

    /**
     * Opens (or finds) the controller session for one allocation entry, passed whole (with its
     * {@code lease_token}, which the controller checks against the allocator's record); repeating it
     * is harmless.
     */
    public Uni<JsonNode> openSession(String workerId, JsonNode entry) {
        return downstream.json(NAME, HttpMethod.POST, backends.vmController() + "/sessions",
                Map.of("worker_id", workerId, "resource", entry), timeout, true, Credential.serviceAndLeaseOf(entry));
    }

    public Uni<Reply> closeSession(String workerId, JsonNode entry) {
        return downstream.exchange(NAME, HttpMethod.DELETE, session(workerId, entry), null, timeout, true,
                Credential.serviceAndLeaseOf(entry));
    }

    /** Screenshot, accessibility tree, screen size and cursor in one call. */
    public Uni<JsonNode> observation(String workerId, JsonNode entry) {
        return read(workerId, entry, "observation");
    }

    public Uni<JsonNode> read(String workerId, JsonNode entry, String what) {
        return downstream.json(NAME, HttpMethod.GET, session(workerId, entry) + "/" + what, null, actionTimeout, true,
                Credential.serviceAndLeaseOf(entry));
    }

    /** An action on the desktop: never retried, since the first attempt may have acted. */
    public Uni<JsonNode> act(String workerId, JsonNode entry, String path, Object body) {
        return downstream.json(NAME, HttpMethod.POST, session(workerId, entry) + "/" + path, body, actionTimeout, false,
                Credential.serviceAndLeaseOf(entry));
    }

    /** {@code /sessions/<worker>/<resource>}, each id one percent-encoded segment ({@code /} → {@code %2F}). */
    private String session(String workerId, JsonNode entry) {
        return backends.vmController() + "/sessions/" + KeyPart.pathSegment(workerId) + "/"
                + KeyPart.pathSegment(entry.path("id").asText());
    }
}

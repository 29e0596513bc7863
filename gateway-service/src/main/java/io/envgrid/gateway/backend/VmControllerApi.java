package io.envgrid.gateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The vm-controller-service: controller sessions per (worker, resource), observations and actions. */
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

    /** Opens (or finds) the controller session for one allocation entry; repeating it is harmless. */
    public Uni<JsonNode> openSession(String workerId, JsonNode resource) {
        return downstream.json(NAME, HttpMethod.POST, backends.vmController() + "/sessions",
                Map.of("worker_id", workerId, "resource", resource), timeout, true);
    }

    public Uni<Reply> closeSession(String workerId, String resourceId) {
        return downstream.exchange(NAME, HttpMethod.DELETE, session(workerId, resourceId), null, timeout, true);
    }

    /** Screenshot, accessibility tree, screen size and cursor in one call. */
    public Uni<JsonNode> observation(String workerId, String resourceId) {
        return downstream.json(NAME, HttpMethod.GET, session(workerId, resourceId) + "/observation", null,
                actionTimeout, true);
    }

    public Uni<JsonNode> read(String workerId, String resourceId, String what) {
        return downstream.json(NAME, HttpMethod.GET, session(workerId, resourceId) + "/" + what, null, actionTimeout, true);
    }

    /** An action on the desktop: never retried, since the first attempt may have acted. */
    public Uni<JsonNode> act(String workerId, String resourceId, String path, Object body) {
        return downstream.json(NAME, HttpMethod.POST, session(workerId, resourceId) + "/" + path, body, actionTimeout, false);
    }

    private String session(String workerId, String resourceId) {
        return backends.vmController() + "/sessions/" + encode(workerId) + "/" + encode(resourceId);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

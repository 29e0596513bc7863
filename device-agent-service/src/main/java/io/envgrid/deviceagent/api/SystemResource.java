package io.envgrid.deviceagent.api;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The device-management system routes next to Quarkus' own {@code /q/...}: health, Prometheus metrics, OpenAPI. */
@Path("/")
@Tag(name = "system")
public class SystemResource {

    private final DeviceAgentConfig config;
    private final PrometheusMeterRegistry prometheus;

    public SystemResource(DeviceAgentConfig config, PrometheusMeterRegistry prometheus) {
        this.config = config;
        this.prometheus = prometheus;
    }

    @GET
    @Path("health")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Agent health: status, timestamp, version")
    public Map<String, Object> health() {
        return Map.of("status", "healthy", "timestamp", Instant.now().toString(), "version", config.version());
    }

    @GET
    @Path("metrics")
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    @Operation(summary = "Prometheus metrics, the same as /q/metrics")
    public String metrics() {
        return prometheus.scrape();
    }

    @GET
    @Path("openapi.json")
    @Operation(summary = "The OpenAPI document (served by /q/openapi)")
    public Response openApi() {
        return Response.temporaryRedirect(URI.create("/q/openapi?format=json")).build();
    }
}

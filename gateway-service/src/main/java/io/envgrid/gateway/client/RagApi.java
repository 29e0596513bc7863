package io.envgrid.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;

/** A rag-service instance: the one a worker was granted ({@code base_url}) or the shared one. */
@ApplicationScoped
public class RagApi {

    private final Downstream downstream;
    private final Duration timeout;

    public RagApi(Downstream downstream, GatewayConfig config) {
        this.downstream = downstream;
        this.timeout = config.downstream().timeout();
    }

    /**
     * {@code POST /search}: a read, so retried when the instance did not answer. {@code headers}
     * carries the worker's lease token for the rag lease searched ({@link LeaseToken#headerOf}),
     * empty for a collection that is not leased.
     */
    public Uni<JsonNode> search(String baseUrl, JsonNode request, Map<String, String> headers) {
        return downstream.json("rag", HttpMethod.POST, strip(baseUrl) + "/search", request, timeout, true, headers);
    }

    /** {@code GET /collections}: {@code [{name, documents}]}; a read, so retried; {@code headers} as for {@link #search}. */
    public Uni<JsonNode> collections(String baseUrl, Map<String, String> headers) {
        return downstream.json("rag", HttpMethod.GET, strip(baseUrl) + "/collections", null, timeout, true, headers);
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}

package io.envgrid.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;

/**
 * A rag-service instance: the one a worker was granted ({@code base_url}) or the shared one. A search and a listing
 * are a worker's own reads: they present the worker's lease token for the collection searched, or nothing, and
 * never the service token, which rag-service lets read every collection (leased ones too).
 */
@ApplicationScoped
public class RagApi {

    private final Downstream downstream;
    private final Duration timeout;

    public RagApi(Downstream downstream, GatewayConfig config) {
        this.downstream = downstream;
        this.timeout = config.downstream().timeout();
    }

    /**
     * {@code POST /search}: a read, so retried when the instance did not answer. {@code lease} is the
     * worker's rag lease for the collection searched; empty for a collection that is not leased.
     */
    public Uni<JsonNode> search(String baseUrl, JsonNode request, Optional<JsonNode> lease) {
        return downstream.json("rag", HttpMethod.POST, strip(baseUrl) + "/search", request, timeout, true, as(lease));
    }

    /** {@code GET /collections}: {@code [{name, documents}]}; a read, so retried; {@code lease} as for {@link #search}. */
    public Uni<JsonNode> collections(String baseUrl, Optional<JsonNode> lease) {
        return downstream.json("rag", HttpMethod.GET, strip(baseUrl) + "/collections", null, timeout, true, as(lease));
    }

    private static Credential as(Optional<JsonNode> lease) {
        return lease.map(Credential::leaseOf).orElseGet(Credential::none);
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}

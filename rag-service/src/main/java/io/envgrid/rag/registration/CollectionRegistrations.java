package io.envgrid.rag.registration;

import io.envgrid.rag.config.RagConfig;
import io.envgrid.rag.index.CollectionRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Offers every collection to the allocator as a {@code rag} resource ({@code rag:<instance>:<collection>},
 * endpoint {@code {base_url, collection}}) once warm-up is over, so that
 * {@code allocate_batch_resources(["rag"])} returns an endpoint that answers at once; heart-beats
 * them, registers again what the allocator forgot, withdraws deleted collections. Off without
 * {@code envgrid.allocator.url}.
 */
@ApplicationScoped
public class CollectionRegistrations {

    private static final Logger LOG = Logger.getLogger(CollectionRegistrations.class);

    private final AllocatorClient allocator;
    private final CollectionRegistry collections;
    private final boolean enabled;
    private final String authorization;
    private final ResourceIds ids;
    private final Optional<String> publicUrl;
    private final Duration interval;
    private final int ttlSeconds;
    private final int port;
    private final Set<String> registered = new HashSet<>();
    private ScheduledExecutorService timer;

    public CollectionRegistrations(@RestClient AllocatorClient allocator, CollectionRegistry collections,
            @ConfigProperty(name = "envgrid.allocator.url") Optional<String> allocatorUrl,
            @ConfigProperty(name = "envgrid.allocator.service-token") Optional<String> serviceToken,
            RagConfig config, ResourceIds ids, @ConfigProperty(name = "quarkus.http.port") int port) {
        this.allocator = allocator;
        this.collections = collections;
        this.enabled = allocatorUrl.filter(u -> !u.isBlank()).isPresent();
        this.authorization = serviceToken.filter(t -> !t.isBlank()).map(t -> "Bearer " + t).orElse(null);
        this.ids = ids;
        if (enabled && !ids.instanceValid()) {
            throw new IllegalStateException("instance id '" + ids.instance() + "' (envgrid.rag.instance-id, else the host name) must match "
                    + ResourceIds.INSTANCE.pattern() + " to form allocator resource ids");
        }
        this.publicUrl = config.publicUrl();
        this.interval = config.registration().interval();
        this.ttlSeconds = config.registration().heartbeatTtlSeconds();
        this.port = port;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            LOG.info("allocator registration is off: envgrid.allocator.url (ENVGRID_ALLOCATOR_URL) is not set");
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "rag-registration"));
        timer.scheduleWithFixedDelay(this::syncOrLog, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /**
     * The timer's pass: an exception out of a scheduled task ends its schedule, and the collections would silently drop
     * out of the allocator at their heartbeat TTL; logged instead, and the next pass runs.
     */
    private void syncOrLog() {
        try {
            sync();
        } catch (RuntimeException e) {
            LOG.errorf(e, "a registration pass failed; the next runs in %d ms", interval.toMillis());
        }
    }

    /** One pass: register or heart-beat every collection, withdraw the gone ones; failures wait for the next pass. */
    synchronized void sync() {
        if (!collections.warm()) {
            return;
        }
        Set<String> wanted = new HashSet<>();
        for (String collection : collections.documentCounts().keySet()) {
            String id = ids.of(collection);
            wanted.add(id);
            try {
                keep(id, collection);
            } catch (RuntimeException e) {
                LOG.warnf("could not register %s with the allocator: %s", id, e.getMessage());
            }
        }
        for (String id : new HashSet<>(registered)) {
            if (!wanted.contains(id)) {
                try (Response r = allocator.delete(authorization, id)) {
                    if (r.getStatus() < 300 || r.getStatus() == 404) {
                        registered.remove(id);
                    }
                } catch (RuntimeException e) {
                    LOG.warnf("could not withdraw %s: %s", id, e.getMessage());
                }
            }
        }
    }

    private void keep(String id, String collection) {
        if (registered.contains(id)) {
            try (Response r = allocator.heartbeat(authorization, id)) {
                if (r.getStatus() != 404) {
                    return;
                }
                registered.remove(id);
            }
        }
        String baseUrl = publicUrl.orElseGet(() -> "http://" + ResourceIds.hostName() + ":" + port);
        RagResource resource = new RagResource(id, "rag", Map.of("base_url", baseUrl, "collection", collection),
                Map.of("instance", ids.instance(), "collection", collection), ttlSeconds);
        try (Response r = allocator.register(authorization, resource)) {
            if (r.getStatus() >= 300) {
                throw new IllegalStateException("allocator answered " + r.getStatus());
            }
        }
        registered.add(id);
        LOG.infof("registered collection %s with the allocator as %s", collection, id);
    }
}

package io.envgrid.allocator.inventory;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.api.RegisterRequest;
import io.envgrid.allocator.auth.AccessPolicy;
import io.envgrid.allocator.auth.Principal;
import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Seeds the pool from {@code envgrid.allocator.inventory-file} at start-up (the local cluster's
 * file, a ConfigMap in Kubernetes). A malformed file stops start-up; Redis being down only delays
 * the registration, which retries until Redis answers. Registration is an upsert, so every
 * replica may load the same file.
 */
@ApplicationScoped
public class InventoryFileLoader {

    /** The file's shape: {@code {"resources": [{"id", "type", "endpoint", "labels", "heartbeat_ttl"}]}}. */
    @RegisterForReflection(targets = {InventoryFile.class, RegisterRequest.class})
    public record InventoryFile(List<RegisterRequest> resources) {
    }

    private static final Logger LOG = Logger.getLogger(InventoryFileLoader.class);

    private final InventoryService inventory;
    private final AllocatorConfig config;
    private final ObjectMapper json;
    private final Principal operator;
    private final AtomicBoolean loaded = new AtomicBoolean();

    public InventoryFileLoader(InventoryService inventory, AllocatorConfig config, ObjectMapper json, AccessPolicy access) {
        this.inventory = inventory;
        this.operator = access.operator();
        this.config = config;
        this.json = json;
    }

    void load(@Observes StartupEvent ignored) {
        config.inventoryFile().ifPresentOrElse(this::load, () -> loaded.set(true));
    }

    /** Whether the inventory file (if any) is registered; readiness waits for it. */
    public boolean loaded() {
        return loaded.get();
    }

    private void load(Path file) {
        List<RegisterRequest> resources = read(file);
        Multi.createFrom().iterable(resources)
                .onItem().transformToUniAndConcatenate(this::register)
                .collect().last()
                .onFailure().invoke(e -> LOG.warnf("inventory %s not registered yet (%s); retrying", file, e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(10)).indefinitely()
                .subscribe().with(done -> {
                    loaded.set(true);
                    LOG.infof("registered %d resource(s) from %s", resources.size(), file);
                });
    }

    /**
     * Registers one entry as the operator who wrote the file (the service token's principal; in open mode
     * everybody's). An id an agent has
     * registered with its own token stays the agent's: the entry is skipped with a warning rather than retried
     * forever (readiness waits for the file).
     */
    private Uni<Boolean> register(RegisterRequest resource) {
        return inventory.register(resource, operator)
                .onFailure(e -> e instanceof ApiException api && ErrorCode.NOT_RESOURCE_OWNER.equals(api.code()))
                .recoverWithItem(e -> {
                    LOG.warnf("inventory entry %s skipped: %s", resource.id(), e.getMessage());
                    return false;
                });
    }

    private List<RegisterRequest> read(Path file) {
        InventoryFile parsed;
        try {
            parsed = json.readValue(file.toFile(), InventoryFile.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read inventory file " + file, e);
        }
        List<RegisterRequest> resources = parsed.resources() == null ? List.of() : parsed.resources();
        resources.forEach(RegisterRequest::validate);
        return resources;
    }
}

package io.envgrid.deviceagent.lending;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.record.PathSegments;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The devices whose allocator resource an operator had drained when they were borrowed. The allocator keeps one drain
 * flag per resource ({@code admin: draining}) and does not say who set it; a borrow drains the resource and a return
 * undrains it, so without this memory a borrow and return would put a device the operator took out of service back in
 * (and a refused borrow would too). Kept as one empty file per resource id under
 * {@code <data-dir>/operator-drains/} (names encoded by {@link PathSegments}), so an agent restart between borrow and
 * return does not forget it.
 */
@ApplicationScoped
public class OperatorDrains {

    private final Path directory;

    public OperatorDrains(DeviceAgentConfig config) {
        this.directory = config.dataDir().resolve("operator-drains").toAbsolutePath().normalize();
    }

    /** The borrow of {@code resourceId} found it drained by someone else: its return must leave it drained. */
    public synchronized void remember(String resourceId) {
        try {
            Files.createDirectories(directory);
            Files.write(marker(resourceId), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remember the operator's drain of " + resourceId, e);
        }
    }

    /** @return whether the drain of {@code resourceId} was the operator's (then it must stay); forgets it either way */
    public synchronized boolean forget(String resourceId) {
        try {
            boolean was = Files.deleteIfExists(marker(resourceId));
            if (was) {
                deleteIfEmpty(); // nothing remembered, nothing left in the data directory
            }
            return was;
        } catch (IOException e) {
            // cannot tell: keeping the device drained is the safe side (no lease on it until an operator undrains)
            return true;
        }
    }

    private void deleteIfEmpty() {
        try {
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // another device's drain is still remembered there
        }
    }

    private Path marker(String resourceId) {
        return directory.resolve(PathSegments.encode(resourceId));
    }
}

package io.envgrid.deviceagent.fleet;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The fleet's own Vert.x instance (one event loop) for the desktops' ports and the lease channel's connection. Not
 * Quarkus' instance: its Micrometer binding registers every server and client it makes, and servers made outside
 * Quarkus' own deployment (other ports, so other tag values for the same meters) fail that registration, which fails
 * their bind. Made on first use, so an agent hosting no desktops starts no threads for it.
 */
@ApplicationScoped
public class FleetVertx {

    private Vertx vertx;

    /** The instance, made on first call. */
    public synchronized Vertx get() {
        if (vertx == null) {
            vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                    .setInternalBlockingPoolSize(1));
        }
        return vertx;
    }

    @PreDestroy
    synchronized void close() {
        if (vertx != null) {
            vertx.close();
        }
    }
}

package io.envgrid.gateway.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** This gateway process among its replicas: owner of the legacy SSE streams it holds. */
@ApplicationScoped
public class Replica {

    private final String id = UUID.randomUUID().toString();

    public String id() {
        return id;
    }
}

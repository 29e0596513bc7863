package io.envgrid.allocator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed settings of the allocator; every one has a working default. */
@ConfigMapping(prefix = "envgrid.allocator")
public interface AllocatorConfig {

    /**
     * Prefix of every Redis key of the default cell (every type no cell names); the braces make all its keys share
     * one Redis Cluster slot.
     */
    @WithDefault("{envgrid}:")
    String keyPrefix();

    /**
     * Cells by name ({@code envgrid.allocator.cells.<cell>.types=vm,ubuntu-desktop}): each serves its types under
     * its own key prefix and hash tag, so on Redis Cluster cells spread over masters. None: one cell, today's.
     */
    Map<String, CellSettings> cells();

    /** One cell's settings. */
    interface CellSettings {
        /** The resource types this cell serves (each type in at most one cell). */
        List<String> types();

        /** Prefix of the cell's keys and channels; it must carry a hash tag of its own. Default {@code {envgrid-<cell>}:}. */
        Optional<String> keyPrefix();
    }

    /** Lease length when a request names none (seconds), as the rollout framework's client expects. */
    @WithDefault("600")
    int defaultTimeoutSeconds();

    /** Longest lease a request may ask for (seconds). */
    @WithDefault("86400")
    int maxTimeoutSeconds();

    /** Most resources one allocation may ask for. */
    @WithDefault("64")
    int maxBatchSize();

    /** Longest an allocation may wait for resources to come free (ms). */
    @WithDefault("600000")
    long maxWaitMs();

    /**
     * How long the answer to a request_id is kept after its leases would have ended: a retry in that
     * window gets 409 REQUEST_ID_SETTLED instead of a second grant.
     */
    @WithDefault("10m")
    Duration requestIdRetention();

    /**
     * How long a replica counts as alive after its last reaper run; the tickets of a replica silent
     * for longer (crashed) are withdrawn by the others. Many reap intervals, so a pause is no crash.
     */
    @WithDefault("5s")
    Duration replicaTtl();

    /** How often each replica reclaims expired leases and marks lapsed heartbeats down. */
    @WithDefault("250ms")
    Duration reapInterval();

    /**
     * Longest a resource registered with {@code reset} may stay resetting after a lease ends before
     * the reaper takes it down with "reset timed out" (its owner died or hangs).
     */
    @WithDefault("5m")
    Duration resetDeadline();

    /** How often the pool gauges are refreshed from Redis. */
    @WithDefault("5s")
    Duration poolGaugeInterval();

    /** Most leases, heartbeats and tickets one reaper run handles. */
    @WithDefault("500")
    int reapBatch();

    /** Approximate length at which the audit event stream is trimmed. */
    @WithDefault("200000")
    long eventsMaxLength();

    /**
     * How fencing tokens are issued: {@code sequence} (1, 2, 3, ... per resource) or {@code clock}
     * (never below the Redis master's clock in ms, so tokens issued after a failover sort above every
     * token issued before it, even one whose write the failover lost). See the README, "Failover".
     */
    @WithDefault("sequence")
    Fencing fencing();

    /**
     * {@code token}: every API call carries the service token or an agent token, and the allocator does not
     * start without a service token; {@code open}: nobody is asked (local development; a warning at start).
     */
    @WithDefault("token")
    AuthMode auth();

    /** Bearer token of the trusted services and operators (the gateway, controllers, agents sharing it). */
    Optional<String> serviceToken();

    /**
     * Key that signs per-agent tokens ({@code eag1.<agent id>.<signature>}, {@code AgentTokens}); none means only
     * the service token is accepted. An agent token may keep only its own resources (README, "Owners").
     */
    Optional<String> agentTokenKey();

    /** JSON file of resources registered at start-up (a ConfigMap in Kubernetes). */
    Optional<Path> inventoryFile();

    /** How the allocator's writes are acknowledged by Redis ({@code envgrid.allocator.redis.*}). */
    RedisWrites redis();

    /** Replication of every answer-bearing write (README, "Failover"). */
    interface RedisWrites {
        /**
         * Replicas that must acknowledge a state-changing script's writes ({@code WAIT}) before its caller is
         * answered; 0 (default) answers as soon as the master applied them. Standalone or Sentinel only.
         */
        @WithDefault("0")
        int waitReplicas();

        /** Longest a {@code WAIT} blocks; fewer acknowledgements by then answer 503 REPLICATION_TIMEOUT. */
        @WithDefault("1s")
        Duration waitTimeout();
    }
}

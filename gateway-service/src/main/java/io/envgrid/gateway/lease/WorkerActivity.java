package io.envgrid.gateway.lease;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.tool.ToolSpec;

/**
 * Told what the gateway does on a worker's behalf that the worker did not ask for in that moment
 * (waiting in the allocator's queue, keep-alive renewals, leases the allocator ended), when
 * the worker's record of what it holds changed, and each tool call that succeeded for it on
 * either front end (MCP or the Sandbox API). Implemented by the MCP features that tell the
 * worker's sessions; a report never fails its caller.
 */
public interface WorkerActivity {

    /** Something done for the worker: {@code event} is a short name ({@code lease.renewed}), {@code details} its facts. */
    void report(String workerId, Severity severity, String event, ObjectNode details);

    /** The worker's leases changed (granted, released, expired): what it can read changed with them. */
    void leasesChanged(String workerId);

    /**
     * A renewal changed the terms of leases the worker holds ({@code expires_at}, {@code fencing_token}; {@link
     * WorkerResources#renewed}): what a read of its leases shows changed, which leases it holds did not. {@code read}
     * is the answer of this listener's {@link #renewalRead} made with the write, or null when the renewal did not
     * make it (the keep-alive's renewals: the listener then reads for itself).
     */
    default void leaseTermsChanged(String workerId, io.vertx.mutiny.redis.client.Response read) {
    }

    /**
     * What this listener reads in Redis when a renewal changes the terms, made by the renewal's own script right
     * after its write ({@link RenewalRead}); null, the default: nothing. Asked once; its answer reaches {@link
     * #leaseTermsChanged} as {@code read}.
     */
    default RenewalRead renewalRead() {
        return null;
    }

    /**
     * A tool call for the worker succeeded, through either front end, with these (checked) arguments;
     * called on the call's thread, so a listener does only cheap work there.
     */
    default void toolSucceeded(String workerId, ToolSpec tool, ObjectNode arguments) {
    }
}

package io.envgrid.gateway.lease;

import java.util.List;
import java.util.function.Function;

/**
 * A Redis read that a listener of lease-term changes ({@link WorkerActivity#renewalRead}) has made by a renewal's own
 * compare-and-write script, right after the worker's record was written and only when an entry was: the write and the
 * listener's look-up in one exchange instead of two ({@link WorkerResources#renewedAndTold}). The lease layer runs the
 * Lua and hands its answer back ({@link WorkerActivity#leaseTermsChanged}) without knowing what it reads.
 *
 * @param lua  the body of a Lua function of {@code (KEYS, ARGV)}, its own keys and arguments (not the renewal's),
 *             answering a table; fixed text, since the script that runs it is built and hashed once
 * @param keys the keys it touches for a worker, passed as the script's KEYS: in the hash slot of the worker's record
 *             (the gateway's keys share one hash tag), so the script stays one slot on Redis Cluster
 * @param args its arguments for a worker
 */
public record RenewalRead(String lua, Function<String, List<String>> keys, Function<String, List<String>> args) {
}

package io.envgrid.clustertest.support;

/** One resource of a grant as a worker received it from {@code allocate_batch_resources}. */
public record Grant(String worker, String resourceId, String type, String leaseId, long fence) {
}

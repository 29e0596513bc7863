package io.envgrid.allocator.lease;

import java.util.Map;

/**
 * A granted allocation in the seed's shape: one entry per requested type (a repeated type gets
 * keys {@code type}, {@code type#2}, ...), each the resource's endpoint fields plus id, type,
 * labels, lease_id, lease_token (the lease-scoped credential, docs/isolation.md), fencing_token and
 * expires_at. {@code replayed} marks the answer to a retried
 * request_id.
 */
public record Allocation(Map<String, Map<String, Object>> resources, boolean replayed) {
}

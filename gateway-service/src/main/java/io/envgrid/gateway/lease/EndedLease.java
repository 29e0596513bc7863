package io.envgrid.gateway.lease;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A lease that ended, as a {@link LeaseEndListener} is told of it: the resource and the fencing token of the grant that
 * ended. Fencing tokens only grow per resource, so state built on that grant or an older one of the resource is over,
 * while state of a later grant of the same resource (the worker was granted it again before a late expiry message of
 * the former lease arrived) is not.
 *
 * @param resourceId   the allocator's resource id
 * @param fencingToken the ended grant's token; null when unknown (a record entry without one), which ends every grant
 *                     of the resource
 */
public record EndedLease(String resourceId, Long fencingToken) {

    /** The lease of a worker's record entry ({@code id}, {@code fencing_token}) that was removed. */
    public static EndedLease of(JsonNode entry) {
        JsonNode token = entry.path("fencing_token");
        return new EndedLease(entry.path("id").asText(), token.canConvertToLong() ? token.asLong() : null);
    }

    /**
     * Whether {@code resource} (an entry as granted: {@code id}, {@code fencing_token}) is of this lease or an older
     * grant of the same resource. An entry without a token cannot be told apart from this grant, so it is covered.
     */
    public boolean covers(JsonNode resource) {
        if (resource == null || !resourceId.equals(resource.path("id").asText())) {
            return false;
        }
        JsonNode token = resource.path("fencing_token");
        return fencingToken == null || !token.canConvertToLong() || token.asLong() <= fencingToken;
    }
}

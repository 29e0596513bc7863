package io.envgrid.allocator.api;

import io.envgrid.allocator.error.ApiException;
import jakarta.ws.rs.core.UriInfo;
import java.util.Collection;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Checks shared by the request records and query/path parameters; each failure is a 400 that names
 * the field. Ids and types follow the one rule of docs/isolation.md and fail with {@code INVALID_ID};
 * everything else fails with {@code INVALID_PARAMETERS}.
 */
public final class Validation {

    /** Worker, resource and request ids (docs/isolation.md): no spaces, '%' or control characters, bounded length. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}");
    /** Resource types and label keys: '#' is reserved for the "type#2" keys of repeated types. */
    public static final Pattern TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private static final Pattern LEASE_TOKEN = Pattern.compile("elt_[A-Za-z0-9_-]{22}");

    private Validation() {
    }

    /** An id (worker, resource, request) under the id rule; null and blank fail too. */
    static void requireId(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalidId(field, "'" + field + "' is required and must match " + ID.pattern());
        }
        if (!ID.matcher(value).matches()) {
            throw ApiException.invalidId(field, "'" + field + "' must match " + ID.pattern());
        }
    }

    /** Lease tokens as {@code LeaseTokens} makes them; anything else cannot match a lease. */
    static void requireLeaseToken(String field, String value) {
        if (value == null || !LEASE_TOKEN.matcher(value).matches()) {
            throw ApiException.badRequest("'" + field + "' must be a lease token (elt_ and 22 base64url characters)");
        }
    }

    /** A resource type under the type rule; null fails too. */
    static void requireType(String field, String value) {
        if (value == null || !TYPE.matcher(value).matches()) {
            throw ApiException.invalidId(field, "'" + field + "' must be a resource type matching " + TYPE.pattern());
        }
    }

    /**
     * Labels, at registration and in the {@code label=key=value} filter: keys follow the type rule,
     * values the id rule, so every label that can be registered can be filtered on and vice versa.
     */
    static void requireLabels(String field, Map<String, String> labels) {
        if (labels == null) {
            return;
        }
        labels.forEach((key, value) -> requireLabel(field, key, value));
    }

    static void requireLabel(String field, String key, String value) {
        if (key == null || !TYPE.matcher(key).matches()) {
            throw ApiException.invalidId(field, "'" + field + "' keys must match " + TYPE.pattern());
        }
        if (value == null || !ID.matcher(value).matches()) {
            throw ApiException.invalidId(field, "'" + field + "' values must match " + ID.pattern());
        }
    }

    static void requireList(String field, Collection<String> values, int max) {
        if (values == null || values.isEmpty()) {
            throw ApiException.badRequest("'" + field + "' must be a non-empty list");
        }
        if (values.size() > max) {
            throw ApiException.badRequest("'" + field + "' has " + values.size() + " entries; at most " + max + " allowed");
        }
    }

    static void requireIds(String field, Collection<String> values, int max) {
        requireList(field, values, max);
        values.forEach(v -> requireId(field + "[]", v));
    }

    static void requireRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw ApiException.badRequest("'" + field + "' must be between " + min + " and " + max + ", got " + value);
        }
    }

    /**
     * An optional query filter ({@code ?type=}, {@code ?worker_id=}): absent is no filter, but a parameter that is
     * given, even empty, must pass {@code rule}; an empty value is one outside the rule, not "no filter", so a
     * caller's typo never widens a listing to everything.
     */
    static void requireFilter(UriInfo uri, String param, String value, BiConsumer<String, String> rule) {
        if (value != null || uri.getQueryParameters().containsKey(param)) {
            rule.accept(param, value);
        }
    }

    static void requireBody(Object body) {
        if (body == null) {
            throw ApiException.badRequest("a JSON request body is required");
        }
    }
}

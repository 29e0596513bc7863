package io.envgrid.allocator.api;

import io.envgrid.allocator.error.ApiException;
import java.util.Collection;
import java.util.regex.Pattern;

/** Checks shared by the request records; each failure is a 400 that names the field. */
final class Validation {

    /** Worker and resource ids: no spaces or control characters, bounded length. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}");
    /** Resource types: '#' is reserved for the "type#2" keys of repeated types. */
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private static final Pattern LEASE_TOKEN = Pattern.compile("elt_[A-Za-z0-9_-]{22}");

    private Validation() {
    }

    static void requireId(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("'" + field + "' is required");
        }
        if (!ID.matcher(value).matches()) {
            throw ApiException.badRequest("'" + field + "' must match " + ID.pattern());
        }
    }

    /** Lease tokens as {@code LeaseTokens} makes them; anything else cannot match a lease. */
    static void requireLeaseToken(String field, String value) {
        if (value == null || !LEASE_TOKEN.matcher(value).matches()) {
            throw ApiException.badRequest("'" + field + "' must be a lease token (elt_ and 22 base64url characters)");
        }
    }

    static void requireType(String field, String value) {
        if (value == null || !TYPE.matcher(value).matches()) {
            throw ApiException.badRequest("'" + field + "' must be a resource type matching " + TYPE.pattern());
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

    static void requireBody(Object body) {
        if (body == null) {
            throw ApiException.badRequest("a JSON request body is required");
        }
    }
}

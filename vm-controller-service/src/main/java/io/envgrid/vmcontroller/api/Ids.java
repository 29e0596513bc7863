package io.envgrid.vmcontroller.api;

import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.error.ErrorCode;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one id rule of docs/isolation.md, checked on every request before anything else happens:
 * worker and resource ids match {@code [A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}}; anything else is
 * {@code 400 INVALID_ID} and changes nothing.
 */
public final class Ids {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}");

    private Ids() {
    }

    /** Returns {@code value} if it is a valid id; otherwise throws 400 {@code INVALID_ID} naming {@code field}. */
    public static String require(String field, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            Map<String, Object> details = Map.of("field", field, "rule", ID.pattern());
            throw new ApiException(400, ErrorCode.INVALID_ID,
                    "'" + field + "' is " + (value == null ? "missing" : "not a valid id") + "; ids match " + ID.pattern(),
                    details);
        }
        return value;
    }
}

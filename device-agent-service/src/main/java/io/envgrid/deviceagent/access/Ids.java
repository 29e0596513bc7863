package io.envgrid.deviceagent.access;

import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one id rule of docs/isolation.md, checked at the agent's front doors (tool arguments, resource paths)
 * before anything changes: ids {@code [A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}}; device types
 * {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,56}}, so that the allocator type {@code device_<type>} stays within the
 * 64 characters of the resource type rule. A violation is {@code 400 INVALID_ID} naming the field.
 */
public final class Ids {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}");
    private static final Pattern DEVICE_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,56}");

    private Ids() {
    }

    public static boolean isValidId(String value) {
        return value != null && ID.matcher(value).matches();
    }

    /** @return {@code value}; throws {@code 400 INVALID_ID} when it is outside the id rule */
    public static String requireId(String field, String value) {
        if (!isValidId(value)) {
            throw new ApiException(400, ErrorCode.INVALID_ID, "'" + field + "' must be 1-200 letters, digits, "
                    + "'.', '_', ':', '@', '/' or '-', starting with a letter or digit",
                    Map.of("field", field));
        }
        return value;
    }

    /** @return {@code type}; throws {@code 400 INVALID_ID} when it is outside the device type rule */
    public static String requireDeviceType(String type) {
        if (type == null || !DEVICE_TYPE.matcher(type).matches()) {
            throw new ApiException(400, ErrorCode.INVALID_ID, "'type' must be 1-57 letters, digits, '_', '.' or '-', "
                    + "starting with a letter or digit (android, ios, windows, linux, ...)", Map.of("field", "type"));
        }
        return type;
    }
}

package io.envgrid.deviceagent.resource;

import io.envgrid.deviceagent.access.Ids;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import java.util.List;
import java.util.Map;

/**
 * The checks on a resource path before it is looked up: no dot segment ({@code .} or {@code ..}, plain or
 * percent-encoded as {@code %2E}), and a device type segment within the type rule of docs/isolation.md. HTTP servers
 * remove dot segments before routing (RFC 3986 5.2.4, with {@code %2E} decoded as the unreserved '.' it stands for),
 * so {@code devices/linux/%2E%2E/device.json} would reach the tree as {@code devices/device.json}: the raw request
 * target is checked, not the routed path. Both are {@code 400 INVALID_ID}.
 */
public final class ResourcePaths {

    private ResourcePaths() {
    }

    /** @param rawTarget the request target as the client sent it (path and query) */
    public static void refuseDotSegments(String rawTarget) {
        int query = rawTarget.indexOf('?');
        String path = query < 0 ? rawTarget : rawTarget.substring(0, query);
        for (String segment : path.split("/")) {
            String decoded = ResourceTree.decodeSegment(segment).orElse(segment);
            if (decoded.equals(".") || decoded.equals("..")) {
                throw new ApiException(400, ErrorCode.INVALID_ID, "a resource path holds no '.' or '..' segment, "
                        + "plain or percent-encoded", Map.of("field", "uri"));
            }
        }
    }

    /** The decoded segments after {@code mcp://test-devices/}: no dot segment, and the type rule for the type. */
    static void check(List<String> segments) {
        for (String segment : segments) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new ApiException(400, ErrorCode.INVALID_ID, "a resource path holds no '.' or '..' segment",
                        Map.of("field", "uri"));
            }
        }
        if (segments.size() >= 2 && segments.get(0).equals("devices")) {
            Ids.requireDeviceType(segments.get(1));
        }
    }
}

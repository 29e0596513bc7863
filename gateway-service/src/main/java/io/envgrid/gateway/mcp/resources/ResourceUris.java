package io.envgrid.gateway.mcp.resources;

import io.envgrid.gateway.id.KeyPart;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The URIs the gateway serves. Its own, always about the session's worker:
 * {@code envgrid://worker/leases}, {@code envgrid://desktops/{resource_id}/screenshot},
 * {@code envgrid://rag/collections} and {@code envgrid://rag/collections/{collection}}; and the
 * device agents' {@code mcp://test-devices/devices/{type}/{device_id}/…} of a device the worker
 * holds ({@link DeviceUri}). Ids are one percent-encoded segment each ({@link KeyPart#pathSegment}). No URI
 * with a dot segment ({@code .} or {@code ..}, plain or encoded) is served.
 */
public final class ResourceUris {

    public static final String LEASES = "envgrid://worker/leases";
    public static final String DESKTOPS = "envgrid://desktops/";
    public static final String SCREENSHOT = "/screenshot";
    public static final String COLLECTIONS = "envgrid://rag/collections";
    public static final String DEVICES = "mcp://test-devices/";
    public static final String SCREENSHOT_TEMPLATE = DESKTOPS + "{resource_id}" + SCREENSHOT;
    public static final String COLLECTION_TEMPLATE = COLLECTIONS + "/{collection}";
    public static final String DEVICE_TEMPLATE = DEVICES + "devices/{type}/{device_id}/device.json";
    public static final List<String> TEMPLATES = List.of(SCREENSHOT_TEMPLATE, COLLECTION_TEMPLATE, DEVICE_TEMPLATE);

    private ResourceUris() {
    }

    public static String screenshot(String resourceId) {
        return DESKTOPS + KeyPart.pathSegment(resourceId) + SCREENSHOT;
    }

    public static String collection(String name) {
        return COLLECTIONS + "/" + KeyPart.pathSegment(name);
    }

    /** The agent's tree path of a device ({@code devices/linux/gw-host}); the lease type {@code device_linux} names the tree's type. */
    public static String devicePath(String leaseType, String deviceId) {
        String type = leaseType.startsWith("device_") ? leaseType.substring("device_".length()) : leaseType;
        return "devices/" + KeyPart.pathSegment(type) + "/" + KeyPart.pathSegment(deviceId);
    }

    /** The desktop a screenshot URI names; empty when {@code uri} is no screenshot URI. */
    public static Optional<String> screenshotOf(String uri) {
        return single(uri, DESKTOPS, SCREENSHOT);
    }

    /** The collection a collection URI names; empty otherwise. */
    public static Optional<String> collectionOf(String uri) {
        return single(uri, COLLECTIONS + "/", "");
    }

    /** Whether the gateway could ever serve this URI (the shape, not whether the worker holds it now). */
    public static boolean served(String uri) {
        if (hasDotSegment(uri)) {
            return false;
        }
        return LEASES.equals(uri) || COLLECTIONS.equals(uri) || screenshotOf(uri).isPresent()
                || collectionOf(uri).isPresent() || (uri.startsWith(DEVICES) && DeviceUri.parse(uri) instanceof DeviceUri.Device);
    }

    /**
     * Whether a segment of {@code uri} after its {@code scheme://} is {@code .} or {@code ..}, plain or percent-encoded
     * ({@code %2e%2E}): no id is one, and a server on the way may remove them, so such a URI is refused whole.
     */
    public static boolean hasDotSegment(String uri) {
        int scheme = uri.indexOf("://");
        for (String segment : uri.substring(scheme < 0 ? 0 : scheme + 3).split("[/?#]", -1)) {
            String dots = segment.toUpperCase(java.util.Locale.ROOT).replace("%2E", ".");
            if (dots.equals(".") || dots.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> single(String uri, String prefix, String suffix) {
        if (!uri.startsWith(prefix) || !uri.endsWith(suffix) || uri.length() <= prefix.length() + suffix.length()) {
            return Optional.empty();
        }
        String segment = uri.substring(prefix.length(), uri.length() - suffix.length());
        if (segment.contains("/")) {
            return Optional.empty();
        }
        try {
            return Optional.of(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

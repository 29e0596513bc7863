package io.envgrid.gateway.mcp.resources;

import io.envgrid.gateway.id.IdRule;
import io.envgrid.gateway.id.KeyPart;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A device agent's URI as the gateway reads it: {@code mcp://test-devices/devices/{type}/{device_id}[/{name}…]},
 * parsed whole before anything is looked up. The gateway never forwards the URI's text: it decodes each segment once,
 * checks it, and builds the agent's path again from the decoded parts ({@link Device#agentPath}), so what reaches the
 * agent names exactly the device the lease check was about. A URI is {@link Malformed} (the caller's error,
 * {@code -32602}) when any segment is empty, {@code .} or {@code ..}, malformed percent-encoding, or holds an
 * encoded {@code .}, {@code /} or {@code \} ({@code %2E}, {@code %2F}, {@code %5C}) or a {@code \}; the one exception
 * is {@code %2F} inside the device id, which is how an id containing {@code /} (the id rule allows it, and agents
 * encode their ids so) is written, and then no {@code /}-separated part of that id may be empty, {@code .} or
 * {@code ..}. The type must follow the type rule and the device id the id rule.
 */
public sealed interface DeviceUri {

    /** A URI under one device: its decoded type (as in the agent's tree: {@code linux}), id and the names below it. */
    record Device(String type, String deviceId, List<String> below) implements DeviceUri {

        /** Whether this URI is under the device of a lease of type {@code leaseType} ({@code device_linux}) and id. */
        public boolean isOf(String leaseType, String leaseDeviceId) {
            return leaseType.equals("device_" + type) && leaseDeviceId.equals(deviceId);
        }

        /** The agent's path ({@code devices/linux/rack%2F7/device.json}), each segment encoded by the gateway. */
        public String agentPath() {
            StringBuilder path = new StringBuilder(ResourceUris.devicePath("device_" + type, deviceId));
            below.forEach(name -> path.append('/').append(KeyPart.pathSegment(name)));
            return path.toString();
        }
    }

    /** Well-formed, but not under a device (the tree's root, {@code tools}, {@code status}): nothing the gateway serves. */
    record Elsewhere() implements DeviceUri {
    }

    /** A URI no device's resource has, refused whole; {@code reason} says which rule it broke. */
    record Malformed(String reason) implements DeviceUri {
    }

    /** Parses a URI that starts with {@link ResourceUris#DEVICES}. */
    static DeviceUri parse(String uri) {
        String path = uri.substring(ResourceUris.DEVICES.length());
        if (path.isEmpty()) {
            return new Elsewhere();
        }
        String[] raw = path.split("/", -1);
        List<String> segments = new ArrayList<>(raw.length);
        for (int i = 0; i < raw.length; i++) {
            boolean deviceId = i == 2 && raw[0].equals("devices");
            String problem = problemOf(raw[i], deviceId);
            if (problem != null) {
                return new Malformed("segment " + (i + 1) + " after " + ResourceUris.DEVICES + ": " + problem);
            }
            segments.add(decode(raw[i]));
        }
        if (segments.size() < 3 || !segments.get(0).equals("devices")) {
            return new Elsewhere();
        }
        if (!IdRule.isType(segments.get(1))) {
            return new Malformed("the device type is outside the type rule");
        }
        if (!IdRule.isId(segments.get(2))) {
            return new Malformed("the device id is outside the id rule");
        }
        return new Device(segments.get(1), segments.get(2), List.copyOf(segments.subList(3, segments.size())));
    }

    /** What is wrong with one raw segment, or null. */
    private static String problemOf(String raw, boolean deviceId) {
        if (raw.isEmpty()) {
            return "empty (a '//' or a trailing '/')";
        }
        String upper = raw.toUpperCase(Locale.ROOT);
        if (upper.contains("%2E") || upper.contains("%5C") || (!deviceId && upper.contains("%2F"))) {
            return "an encoded '.', '/' or '\\'";
        }
        String decoded = decode(raw);
        if (decoded == null) {
            return "malformed percent-encoding";
        }
        if (decoded.indexOf('\\') >= 0) {
            return "a '\\'";
        }
        for (String part : decoded.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return "a dot segment or an empty part";
            }
        }
        return null;
    }

    /** One strict percent-decoding (RFC 3986: '+' is a plus); null for a stray '%' or bytes that are not UTF-8. */
    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 4);
        for (int i = 0; i < raw.length(); ) {
            int c = raw.codePointAt(i);
            if (c == '%') {
                int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (low < 0) {
                    return null;
                }
                bytes.put((byte) (high * 16 + low));
                i += 3;
            } else {
                bytes.put(new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c);
            }
        }
        bytes.flip();
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

package io.envgrid.deviceagent.resource;

import io.envgrid.deviceagent.access.Ids;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.record.DeviceRecord;
import io.envgrid.deviceagent.record.DeviceStore;
import io.envgrid.deviceagent.system.SystemService;
import io.envgrid.deviceagent.tool.ToolDefinition;
import io.envgrid.deviceagent.tool.ToolRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The {@code mcp://test-devices/} resource tree of the device tools, read the same way over REST and MCP. */
@ApplicationScoped
public class ResourceTree {

    public static final String ROOT = "mcp://test-devices/";
    private static final java.util.regex.Pattern SCHEME_AND_AUTHORITY = java.util.regex.Pattern.compile(
            "^(?:mcp(?::|%3[aA])(?:/|%2[fF])*)?(?:test-devices(?=/|%2[fF]|$)(?:%2[fF])*)?");

    private final DeviceStore store;
    private final ToolRegistry tools;
    private final SystemService system;

    public ResourceTree(DeviceStore store, ToolRegistry tools, SystemService system) {
        this.store = store;
        this.tools = tools;
        this.system = system;
    }

    /**
     * One resource as {@code {uri, name, description, mimeType, contents}}, by full URI or its path. HTTP stacks
     * fold the "//" of a full URI in a path, so "mcp:/", "mcp://" and a bare path are accepted alike.
     */
    public Map<String, Object> read(String uri) {
        // The scheme and authority may come encoded as a whole ("mcp%3A%2F%2Ftest-devices") or not; after them each
        // segment is decoded once, so a '/' inside an id arrives as %2F and stays inside its segment.
        String path = SCHEME_AND_AUTHORITY.matcher(uri).replaceFirst("");
        List<String> segments = new java.util.ArrayList<>();
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(decodeSegment(segment).orElseThrow(() -> unknown(uri)));
            }
        }
        return read(segments);
    }

    /** RFC 3986: every character outside the unreserved ones and ':' '@' as %XX of its UTF-8 bytes ('/' too). */
    public static String encodeSegment(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~:@".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** One percent-decoding of a URI segment; empty when it is malformed (a stray '%', not UTF-8). */
    static Optional<String> decodeSegment(String segment) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    return Optional.empty();
                }
                int high = Character.digit(segment.charAt(i + 1), 16);
                int low = Character.digit(segment.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return Optional.empty();
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else {
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (java.nio.charset.CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private Map<String, Object> read(List<String> segments) {
        String uri = ROOT + String.join("/", segments.stream().map(ResourceTree::encodeSegment).toList());
        return switch (segments.size()) {
            case 0 -> directory(ROOT, "Test Device Management", "Root of the test device tree",
                    List.of(ROOT + "devices", ROOT + "tools", ROOT + "status"));
            case 1 -> switch (segments.get(0)) {
                case "devices" -> directory(uri, "devices", "Device types on this host",
                        store.all().stream().map(DeviceRecord::type).distinct().sorted().map(t -> uri + "/" + encodeSegment(t))
                                .toList());
                case "tools" -> document(uri, "tools", tools.all().stream().map(ToolDefinition::name).toList());
                case "status" -> document(uri, "status", system.info());
                default -> throw unknown(uri);
            };
            case 2 -> directory(uri, segments.get(1), "Devices of type " + segments.get(1),
                    devicesOfType(segments).stream().map(r -> uri + "/" + encodeSegment(r.deviceId())).toList());
            case 3 -> {
                DeviceRecord record = device(segments, uri);
                yield directory(uri, record.name(), "Device " + record.deviceId(),
                        List.of(uri + "/device.json", uri + "/logs", uri + "/files"));
            }
            case 4 -> {
                DeviceRecord record = device(segments, uri);
                yield switch (segments.get(3)) {
                    case "device.json" -> document(uri, "device.json", record);
                    case "logs" -> directory(uri, "logs", "Logs of " + record.deviceId(),
                            fileUris(uri, store.logsDirectory(record.deviceId())));
                    case "files" -> directory(uri, "files", "Files of " + record.deviceId(),
                            fileUris(uri, store.filesDirectory(record.deviceId())));
                    default -> throw unknown(uri);
                };
            }
            default -> throw unknown(uri);
        };
    }

    private List<DeviceRecord> devicesOfType(List<String> segments) {
        if (!segments.get(0).equals("devices")) {
            throw unknown(ROOT + String.join("/", segments.stream().map(ResourceTree::encodeSegment).toList()));
        }
        return store.all().stream().filter(r -> r.type().equals(segments.get(1))).toList();
    }

    private DeviceRecord device(List<String> segments, String uri) {
        DeviceRecord record = store.get(Ids.requireId("device_id", segments.get(2)));
        if (!segments.get(0).equals("devices") || !record.type().equals(segments.get(1))) {
            throw unknown(uri);
        }
        return record;
    }

    private static List<String> fileUris(String uri, java.nio.file.Path directory) {
        try (Stream<java.nio.file.Path> files = Files.list(directory)) {
            return files.map(f -> uri + "/" + encodeSegment(f.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> directory(String uri, String name, String description, List<String> children) {
        return resource(uri, name, description, Map.of("type", "directory", "children", children));
    }

    private static Map<String, Object> document(String uri, String name, Object contents) {
        return resource(uri, name, name, contents);
    }

    private static Map<String, Object> resource(String uri, String name, String description, Object contents) {
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("uri", uri);
        resource.put("name", name);
        resource.put("description", description);
        resource.put("mimeType", "application/json");
        resource.put("contents", contents);
        return resource;
    }

    private static ApiException unknown(String uri) {
        return new ApiException(404, ErrorCode.DEVICE_NOT_FOUND, "no resource '" + uri + "'", Map.of("uri", uri));
    }
}

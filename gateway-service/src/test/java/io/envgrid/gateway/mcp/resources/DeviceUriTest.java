package io.envgrid.gateway.mcp.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.testsupport.fuzz.Gen;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Device URIs are parsed whole: a dot segment, an encoded dot, slash or backslash anywhere but the one place an id's
 * own '/' is written, or a broken encoding, is {@link DeviceUri.Malformed} and not served, so it never reaches an
 * agent; the URIs the gateway lists parse back to the device they name. The hostile cases are a fixed list and
 * seeded variations of it ({@code -Dfuzz.seed=} replays a run).
 */
class DeviceUriTest {

    private static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    private static final String BASE = ResourceUris.DEVICES + "devices/linux/gw-host";

    /** Segments no URI may hold anywhere after {@code mcp://test-devices/}. */
    private static final List<String> HOSTILE_SEGMENTS = List.of(".", "..", "%2e", "%2E", "%2e%2e", "%2E%2E", ".%2e",
            "%2e.", "", "%2F", "..%2F", "%2F..", "%5C", "a%5cb", "a\\b", "..\\", "%", "%2", "%zz",
            "%C0%AE", "%C0%AE%C0%AE", "%E0%80%AE", "%FF");
    /** An encoded slash: an id's own '/' in the device id segment, refused in every other segment. */
    private static final List<String> ENCODED_SLASHES = List.of("a%2Fb", "a%2fb", "device.json%2F..");
    /** Device id segments that try to leave their device through its id. */
    private static final List<String> HOSTILE_IDS = List.of("gw-host%2F..%2Fother", "gw-host%2F.%2Fx", "%2E%2E",
            "..", ".", "gw-host%2F%2Fx", "%2Fgw-host", "gw-host%2F", "gw-host%2f..", "gw%2E%2Ehost", "gw-host%5C..",
            "-starts-badly", "gw-host%2F..");

    private static final List<String> FIXED = List.of(
            BASE + "/../other/device.json",
            BASE + "/./device.json",
            BASE + "/%2e%2e/other/device.json",
            BASE + "/%2E%2E%2Fother%2Fdevice.json",
            BASE + "%2F..%2Fother/device.json",
            BASE + "/files/..%2F..%2F..%2Fetc%2Fpasswd",
            BASE + "//device.json",
            BASE + "/",
            BASE + "/files/%2e",
            BASE + "/device.json/..",
            ResourceUris.DEVICES + "devices/linux/../android/emulator-5554/device.json",
            ResourceUris.DEVICES + "devices/%2e%2e/linux/gw-host/device.json",
            ResourceUris.DEVICES + "./devices/linux/gw-host/device.json",
            ResourceUris.DEVICES + "../devices/linux/gw-host/device.json",
            ResourceUris.DEVICES + "%2E/devices/linux/gw-host",
            ResourceUris.DEVICES + "devices%2Flinux%2Fgw-host/device.json",
            ResourceUris.DEVICES + "devices/linux%2F..%2Fandroid/emulator-5554",
            ResourceUris.DEVICES + "devices/lin%5Cux/gw-host",
            ResourceUris.DEVICES + "devices/.hidden/gw-host");

    @Test
    void hostileUrisAreMalformedAndNeverServed() {
        List<String> cases = new ArrayList<>(FIXED);
        for (String segment : ENCODED_SLASHES) {
            cases.add(BASE + "/" + segment);
            cases.add(BASE + "/files/" + segment);
            cases.add(ResourceUris.DEVICES + "devices/" + segment + "/gw-host/device.json");
        }
        for (String segment : HOSTILE_SEGMENTS) {
            cases.add(BASE + "/" + segment);
            cases.add(BASE + "/" + segment + "/device.json");
            cases.add(BASE + "/files/" + segment);
            cases.add(ResourceUris.DEVICES + "devices/" + segment + "/gw-host/device.json");
        }
        for (String id : HOSTILE_IDS) {
            cases.add(ResourceUris.DEVICES + "devices/linux/" + id);
            cases.add(ResourceUris.DEVICES + "devices/linux/" + id + "/device.json");
        }
        SplittableRandom random = new SplittableRandom(SEED);
        Gen<String> hostile = Gen.of(HOSTILE_SEGMENTS);
        Gen<String> benign = Gen.of("devices", "linux", "gw-host", "device.json", "files", "logs", "a.b", "x:y", "a@b");
        for (int n = 0; n < 500; n++) {
            List<String> segments = new ArrayList<>(benign.list(1, 6).next(random));
            segments.add(random.nextInt(segments.size() + 1), hostile.next(random));
            cases.add(ResourceUris.DEVICES + String.join("/", segments));
        }
        for (String uri : cases) {
            String what = uri + " (seed " + SEED + ", replay with -Dfuzz.seed=" + SEED + ")";
            assertFalse(ResourceUris.served(uri), what);
            DeviceUri parsed = DeviceUri.parse(uri);
            assertTrue(parsed instanceof DeviceUri.Malformed || (parsed instanceof DeviceUri.Elsewhere
                    && ResourceUris.hasDotSegment(uri)), what + " parsed as " + parsed);
        }
    }

    @Test
    void theUrisTheGatewayListsNameTheirDevice() {
        assertEquals(new DeviceUri.Device("linux", "gw-host", List.of("device.json")),
                DeviceUri.parse(BASE + "/device.json"));
        assertEquals(new DeviceUri.Device("linux", "gw-host", List.of()), DeviceUri.parse(BASE));
        // an id's own '/' and ':' as the gateway and the agents write them
        for (String id : List.of("rack/7", "192.168.1.5:5555", "a.b", "gw/agent@rack.1")) {
            String uri = ResourceUris.DEVICES + ResourceUris.devicePath("device_android", id) + "/logs";
            DeviceUri.Device device = assertInstanceOf(DeviceUri.Device.class, DeviceUri.parse(uri), uri);
            assertEquals(id, device.deviceId());
            assertTrue(device.isOf("device_android", id));
            assertFalse(device.isOf("device_linux", id));
            assertEquals(ResourceUris.devicePath("device_android", id) + "/logs", device.agentPath());
            assertTrue(ResourceUris.served(uri), uri);
        }
        // the agent's own spelling (':' unencoded) names the same device, and the agent gets the gateway's spelling
        DeviceUri.Device agentSpelled = assertInstanceOf(DeviceUri.Device.class,
                DeviceUri.parse(ResourceUris.DEVICES + "devices/android/emu:5554/files/a%20b.txt"));
        assertEquals("devices/android/emu%3A5554/files/a%20b.txt", agentSpelled.agentPath());
        assertInstanceOf(DeviceUri.Elsewhere.class, DeviceUri.parse(ResourceUris.DEVICES + "status"));
        assertInstanceOf(DeviceUri.Elsewhere.class, DeviceUri.parse(ResourceUris.DEVICES));
    }

    @Test
    void dotSegmentsOfTheGatewaysOwnUrisAreRefusedToo() {
        for (String uri : List.of("envgrid://desktops/../screenshot", "envgrid://desktops/%2e%2E/screenshot",
                "envgrid://rag/collections/.", "envgrid://rag/collections/%2E", "envgrid://worker/../leases")) {
            assertTrue(ResourceUris.hasDotSegment(uri), uri);
            assertFalse(ResourceUris.served(uri), uri);
        }
        assertFalse(ResourceUris.hasDotSegment("envgrid://desktops/a.b/screenshot"));
        assertFalse(ResourceUris.hasDotSegment("envgrid://desktops/...%2E/screenshot"));
    }
}

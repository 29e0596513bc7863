package io.envgrid.gateway.mcp.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResourceUrisTest {

    @Test
    void idsRoundTripThroughTheirSegment() {
        for (String id : new String[] {"desktop-1", "gw/agent@rack.1:desktop", "a b+c%"}) {
            assertEquals(Optional.of(id), ResourceUris.screenshotOf(ResourceUris.screenshot(id)), id);
            assertEquals(Optional.of(id), ResourceUris.collectionOf(ResourceUris.collection(id)), id);
        }
        assertEquals("devices/linux/rack%2F7", ResourceUris.devicePath("device_linux", "rack/7"));
    }

    @Test
    void onlyTheGatewaysShapesAreServed() {
        assertTrue(ResourceUris.served("envgrid://worker/leases"));
        assertTrue(ResourceUris.served("envgrid://desktops/d1/screenshot"));
        assertTrue(ResourceUris.served("mcp://test-devices/devices/linux/h/device.json"));
        assertFalse(ResourceUris.served("envgrid://desktops//screenshot"));
        assertFalse(ResourceUris.served("envgrid://desktops/a/b/screenshot"));
        assertFalse(ResourceUris.served("envgrid://desktops/%zz/screenshot"));
        assertFalse(ResourceUris.served("test://watched-resource"));
        assertFalse(ResourceUris.served("mcp://test-devices/status"));
    }
}

package io.envgrid.allocator.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every order of grant, close and delivery gives an undelivered grant back exactly once, and a delivered one never. */
class ClientLinkTest {

    private static final ClientLink.Abandoned LEASES = new ClientLink.Abandoned("w", "", List.of("r-1:1"));

    private final List<ClientLink.Abandoned> abandoned = new ArrayList<>();

    @Test
    void closeAfterGrantBeforeDeliveryAbandonsOnce() {
        ClientLink link = link();
        assertTrue(granted(link));
        link.clientGone();
        link.clientGone();
        assertEquals(List.of(LEASES), abandoned);
    }

    @Test
    void grantAfterCloseIsRefusedAndAbandonedOnce() {
        ClientLink link = link();
        link.clientGone();
        assertTrue(link.isGone());
        assertFalse(granted(link));
        assertEquals(List.of(LEASES), abandoned);
    }

    @Test
    void closeAfterDeliveryAbandonsNothing() {
        ClientLink link = link();
        assertTrue(granted(link));
        link.delivered();
        link.clientGone();
        assertFalse(link.isGone());
        assertEquals(List.of(), abandoned);
    }

    private ClientLink link() {
        ClientLink link = new ClientLink();
        link.onAbandoned(abandoned::add);
        return link;
    }

    private static boolean granted(ClientLink link) {
        return link.granted(LEASES);
    }
}

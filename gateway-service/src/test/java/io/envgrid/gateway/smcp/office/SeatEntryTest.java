package io.envgrid.gateway.smcp.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The member set entries of both forms: with the seat epoch, and as gateways before it wrote them. */
class SeatEntryTest {

    @Test
    void anEntryWithItsEpochReadsBackAsWritten() {
        SeatEntry seat = new SeatEntry("Ab-_c1", "7", "job42/office.a:b@c");
        assertEquals("Ab-_c1|7|job42/office.a:b@c", seat.encode());
        assertEquals(seat, SeatEntry.parse(seat.encode()));
    }

    @Test
    void anEntryOfAnOlderGatewayHasTheEmptyEpochThatMatchesAnySeat() {
        assertEquals(new SeatEntry("Ab-_c1", "", "office-1"), SeatEntry.parse("Ab-_c1|office-1"));
    }

    @Test
    void anEntryWithoutASeparatorIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SeatEntry.parse("Ab-_c1"));
    }
}

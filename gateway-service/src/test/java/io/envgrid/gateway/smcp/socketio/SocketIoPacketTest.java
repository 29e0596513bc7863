package io.envgrid.gateway.smcp.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * A Socket.IO packet's JSON data is read strictly: a key twice in one object makes the packet malformed, as do data
 * cut short and anything after the data (the reference parser's {@code JSON.parse} of the rest refuses it too).
 */
class SocketIoPacketTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aDuplicateKeyAtAnyDepthIsMalformed() {
        assertNull(SocketIoPacket.parse("21[\"client:tool_call\",{\"name\":\"a\",\"name\":\"b\"}]", JSON));
        assertNull(SocketIoPacket.parse("2/smcp,7[\"x\",{\"req\":{\"args\":{\"k\":1,\"k\":2}}}]", JSON));
        assertNull(SocketIoPacket.parse("2/smcp,7[\"x\",{\"name\":", JSON));
        assertNull(SocketIoPacket.parse("2/smcp,7[\"x\",{\"name\":\"a\"}][\"y\"]", JSON));
        assertNull(SocketIoPacket.parse("2/smcp,7[\"x\"] garbage", JSON));
        SocketIoPacket packet = SocketIoPacket.parse("2/smcp,7[\"x\",{\"name\":\"a\",\"other\":\"a\"}]", JSON);
        assertEquals("/smcp", packet.namespace());
        assertEquals(7L, packet.ackId());
        assertEquals("a", packet.data().get(1).path("name").asText());
    }
}

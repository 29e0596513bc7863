package io.envgrid.deviceagent.computer.signalling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;

/** Both generations' answers to {@code server:join_office}, as the Socket.IO client hands them over. */
class JoinAckTest {

    @Test
    void readsTheTupleOfZeroFourAndTheFlatPayloadOfZeroFive() throws Exception {
        assertEquals(new JoinAck.Joined(), JoinAck.parse(new Object[] {true, JSONObject.NULL}));
        assertEquals(new JoinAck.Refused(0, "Internal server error: Agent already in room"),
                JoinAck.parse(new Object[] {false, "Internal server error: Agent already in room"}));
        assertEquals(new JoinAck.Joined(), JoinAck.parse(new Object[0]));
        assertEquals(new JoinAck.Refused(4105, "Name already taken in room"), JoinAck.parse(new Object[] {
                new JSONObject("{\"code\":4105,\"message\":\"Name already taken in room\",\"details\":{}}")}));
        assertEquals(new JoinAck.Refused(0, "unexpected join answer: 7"), JoinAck.parse(new Object[] {7}));
    }
}

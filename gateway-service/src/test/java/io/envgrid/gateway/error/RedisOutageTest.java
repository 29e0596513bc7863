package io.envgrid.gateway.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.redis.client.impl.types.ErrorType;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Which failures of a tool call are the gateway's Redis being out of reach (503) and which are faults (500). */
class RedisOutageTest {

    @Test
    void aLostConnectionAnywhereInTheChainIsAnOutage() {
        // what SoakIT saw when the Redis master was killed: Netty's exception handed on as it is
        assertTrue(RedisOutage.isOutage(new SocketException("Connection reset")));
        assertTrue(RedisOutage.isOutage(new CompletionException(new ClosedChannelException())));
        assertTrue(RedisOutage.isOutage(new RuntimeException("wrapped", new CompletionException(new SocketException("x")))));
    }

    @Test
    void aNotNowReplyIsAnOutageAndAnyOtherReplyIsNot() {
        assertTrue(RedisOutage.isOutage(ErrorType.create("READONLY You can't write against a read only replica.")));
        assertTrue(RedisOutage.isOutage(new CompletionException(ErrorType.create("LOADING Redis is loading the dataset"))));
        assertTrue(RedisOutage.isOutage(ErrorType.create("MASTERDOWN Link with MASTER is down")));
        assertFalse(RedisOutage.isOutage(ErrorType.create("ERR syntax error")));
        assertFalse(RedisOutage.isOutage(ErrorType.create("WRONGTYPE Operation against a key holding the wrong kind of value")));
    }

    @Test
    void aFaultInTheGatewayIsNotAnOutage() {
        assertFalse(RedisOutage.isOutage(new IllegalStateException("a bug")));
        assertFalse(RedisOutage.isOutage(new NullPointerException()));
    }

    @Test
    void anOutageAnswers503RedisUnavailable() {
        ToolFailure failure = RedisOutage.failure(new SocketException("Connection reset"));
        assertEquals(503, failure.status());
        assertEquals(ErrorCode.REDIS_UNAVAILABLE, failure.code());
    }
}

package io.envgrid.allocator.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.WithRedis;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A script call's Redis connection lives on the caller's event loop ({@link LoopRedis}): what the connection receives
 * is handled on the thread that made the call, for calls from two different loops. With the one pooled client all
 * connections live on a single loop, and at least one of the two callers is answered from another thread.
 */
@QuarkusTest
@WithRedis
class LoopRedisTest {

    @Inject
    LoopRedis loopRedis;

    @Inject
    ReactiveRedisDataSource shared;

    @Inject
    Vertx vertx;

    @Test
    void callsFromTwoEventLoopsAreReceivedOnTheirOwnLoops() {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : ((VertxInternal) vertx).getEventLoopGroup()) {
            loops.add((EventLoop) executor);
        }
        assertTrue(loops.size() >= 2, "the test needs two event loops, Quarkus made " + loops.size());

        Map<String, String> callers = new ConcurrentHashMap<>();
        Map<String, String> receivers = new ConcurrentHashMap<>();
        for (int i = 0; i < 2; i++) {
            String channel = "loop-redis-test-" + i;
            ContextInternal any = (ContextInternal) vertx.getOrCreateContext();
            ContextInternal context = ((VertxInternal) vertx).createEventLoopContext(loops.get(i), any.workerPool(),
                    Thread.currentThread().getContextClassLoader());
            context.runOnContext(ignored -> {
                callers.put(channel, Thread.currentThread().getName());
                // SUBSCRIBE's confirmation reaches the connection's message handler, on the thread that reads the socket
                loopRedis.client().connect().onSuccess(connection -> connection
                        .handler(message -> {
                            receivers.putIfAbsent(channel, Thread.currentThread().getName());
                            connection.close();
                        })
                        .send(Request.cmd(Command.SUBSCRIBE).arg(channel)));
            });
        }
        Conditions.await(() -> receivers.size() == 2, "both subscriptions confirmed");

        assertNotEquals(callers.get("loop-redis-test-0"), callers.get("loop-redis-test-1"));
        assertEquals(callers, receivers, "threads of the callers and of their connections");
    }

    @Test
    void offAnEventLoopTheQuarkusClientServes() {
        assertSame(shared.getRedis().getDelegate(), loopRedis.client());
    }
}

package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.config.DeviceAgentConfig.LeaseChannelRedisRole;
import io.envgrid.deviceagent.config.DeviceAgentConfig.LeaseChannelRedisType;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.testsupport.redis.RedisSentinels;
import io.envgrid.testsupport.redis.Resp;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lease channel behind Redis Sentinel (issue 15), on a real master, replica and three Sentinels
 * ({@link RedisSentinels}): configured as the allocator's {@code quarkus.redis.*} are (client type {@code sentinel},
 * the Sentinels' URLs, the master name), the subscription survives its connection being killed and follows a
 * failover (the master SIGKILLed, the replica promoted) without a restart, so a reset message published on the new
 * master wakes the reset loop at once rather than at the next reconcile interval.
 */
class LeaseChannelFailoverTest {

    private static final String CHANNEL = "{envgrid}:ch:expired";
    private static final String OURS = "test-agent:desktop-0";
    /**
     * How soon a message published on a subscribed server must wake the loop. No reconcile loop runs here, so a wake
     * can only come from the message; the bound is generous because CI machines here run at load averages above 40.
     */
    private static final Duration AT_ONCE = Duration.ofSeconds(2);

    private final Vertx vertx = Vertx.vertx();
    private LeaseChannelSubscriber subscriber;

    @AfterEach
    void close() {
        if (subscriber != null) {
            subscriber.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aResetPublishedOnTheNewMasterAfterAFailoverWakesTheResetLoopAtOnce() {
        try (RedisSentinels redis = sentinels("")) {
            AtomicInteger wakes = new AtomicInteger();
            int master = subscribeThroughSentinels(redis, wakes);

            // another resource's reset and an expiry wake nothing; a reset of ours does
            publish(master, message("someone:desktop-9", "reset"));
            publish(master, message(OURS, "expired"));
            publish(master, message(OURS, "reset"));
            awaitWakes(wakes, 1);

            // any disconnect (here the server drops its pub/sub clients, as Sentinel does to a demoted master)
            Resp.call(master, "CLIENT", "KILL", "TYPE", "pubsub");
            awaitSubscribedOn(master, Duration.ofSeconds(10));
            publish(master, message(OURS, "reset"));
            awaitWakes(wakes, 2);

            int old = redis.killMaster();
            long killed = System.nanoTime();
            int promoted = redis.awaitFailoverFrom(old, Duration.ofSeconds(30));
            awaitSubscribedOn(promoted, Duration.ofSeconds(20));
            System.out.printf("LeaseChannelFailoverTest: master %d killed, %d promoted, subscribed there %d ms after "
                    + "the kill%n", old, promoted, Duration.ofNanos(System.nanoTime() - killed).toMillis());
            publish(promoted, message(OURS, "reset"));
            awaitWakes(wakes, 3);
        }
    }

    /**
     * A failover of a master that stays up (an operator's {@code SENTINEL FAILOVER}, or one after a partition healed):
     * the old master, now a replica, would still pass messages on, but the agent is moved to the new master.
     */
    @Test
    void aFailoverOfALiveMasterMovesTheSubscriptionToTheNewMaster() {
        try (RedisSentinels redis = sentinels("live-")) {
            AtomicInteger wakes = new AtomicInteger();
            int old = subscribeThroughSentinels(redis, wakes);

            redis.failOverLiveMaster();
            int promoted = redis.awaitFailoverFrom(old, Duration.ofSeconds(30));
            awaitSubscribedOn(promoted, Duration.ofSeconds(20));
            assertEquals(0L, ((List<?>) Resp.call(old, "PUBSUB", "NUMSUB", CHANNEL)).get(1), "no subscription left on "
                    + "the demoted master");
            publish(promoted, message(OURS, "reset"));
            awaitWakes(wakes, 1);
        }
    }

    /**
     * A master the Sentinels cannot reach but the agent's connection still holds (paused for every client, so nothing
     * closes that connection): the Sentinels' {@code +switch-master} moves the agent to the new master while the old
     * one is still cut off, not only once it comes back and Sentinel demotes it.
     */
    @Test
    void aMasterCutOffFromTheSentinelsIsLeftOnTheirSwitchAnnouncement() {
        try (RedisSentinels redis = sentinels("cut-")) {
            AtomicInteger wakes = new AtomicInteger();
            subscribeThroughSentinels(redis, wakes);

            Duration cutOff = Duration.ofSeconds(40);
            long end = System.nanoTime() + cutOff.toNanos();
            int old = redis.cutOffMaster(cutOff);
            int promoted = redis.awaitFailoverFrom(old, Duration.ofSeconds(30));
            // the old master must not be asked anything while it is paused: the subscription is counted on the new one
            awaitSubscribedOn(promoted, Duration.ofNanos(end - System.nanoTime()).minusSeconds(5));
            publish(promoted, message(OURS, "reset"));
            awaitWakes(wakes, 1);
            System.out.printf("LeaseChannelFailoverTest: master %d cut off, %d promoted, subscribed there %d s before "
                    + "the cut-off ended%n", old, promoted, Duration.ofNanos(end - System.nanoTime()).toSeconds());
        }
    }

    @Test
    void theSettingsAreReadAsTheQuarkusRedisClientReadsItsOwn() {
        RedisOptions standalone = LeaseChannel.redisOptions("redis://10.0.0.1:6379", LeaseChannelRedisType.STANDALONE,
                "mymaster", LeaseChannelRedisRole.MASTER);
        assertEquals(RedisClientType.STANDALONE, standalone.getType());
        assertEquals(List.of("redis://10.0.0.1:6379"), standalone.getEndpoints());

        RedisOptions sentinel = LeaseChannel.redisOptions(" redis://s0:26379, redis://s1:26379,redis://s2:26379 ",
                LeaseChannelRedisType.SENTINEL, "envgrid", LeaseChannelRedisRole.REPLICA);
        assertEquals(RedisClientType.SENTINEL, sentinel.getType());
        assertEquals(List.of("redis://s0:26379", "redis://s1:26379", "redis://s2:26379"), sentinel.getEndpoints());
        assertEquals("envgrid", sentinel.getMasterName());
        assertEquals(RedisRole.REPLICA, sentinel.getRole());
    }

    /** A master, a replica and three Sentinels in their own folder under {@code target/} ({@code kind} names it). */
    private static RedisSentinels sentinels(String kind) {
        return RedisSentinels.start(Path.of("target", "lease-channel-sentinels-" + kind + ProcessHandle.current().pid()));
    }

    /**
     * Starts the subscriber configured as the agent is behind Sentinel (client type {@code sentinel}, the master's
     * role), counting the wakes in {@code wakes}, and waits until the master has it on the channel.
     *
     * @return the master's port
     */
    private int subscribeThroughSentinels(RedisSentinels redis, AtomicInteger wakes) {
        subscriber = new LeaseChannelSubscriber(vertx, LeaseChannel.redisOptions(redis.sentinelHosts(),
                LeaseChannelRedisType.SENTINEL, RedisSentinels.MASTER_NAME, LeaseChannelRedisRole.MASTER), CHANNEL,
                Duration.ofMillis(100), Duration.ofSeconds(5), OURS::equals, wakes::incrementAndGet, new ObjectMapper());
        subscriber.start();
        int master = redis.masterPort();
        awaitSubscribedOn(master, Duration.ofSeconds(15));
        return master;
    }

    /** Waits until {@code port} has this subscriber on the channel (what {@code PUBSUB NUMSUB} counts). */
    private void awaitSubscribedOn(int port, Duration limit) {
        Conditions.await(() -> subscriber.subscribed()
                && ((Long) ((List<?>) Resp.call(port, "PUBSUB", "NUMSUB", CHANNEL)).get(1)) == 1L,
                "the lease channel subscribed on the server at " + port, limit);
    }

    private static void awaitWakes(AtomicInteger wakes, int expected) {
        Conditions.await(() -> wakes.get() >= expected, "wake number " + expected, AT_ONCE);
        assertEquals(expected, wakes.get(), "only resets of our own desktops wake the loop");
    }

    private static void publish(int port, String message) {
        Resp.call(port, "PUBLISH", CHANNEL, message);
    }

    /** The allocator's message shape ({@code docs/contracts/pubsub.md}). */
    private static String message(String resource, String reason) {
        return "{\"resource_id\":\"" + resource + "\",\"type\":\"vm_pyautogui\",\"worker_id\":\"w1\","
                + "\"lease_id\":\"l1\",\"fencing_token\":7,\"reason\":\"" + reason + "\"}";
    }
}

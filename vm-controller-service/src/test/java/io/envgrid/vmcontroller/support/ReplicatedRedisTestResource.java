package io.envgrid.vmcontroller.support;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.testsupport.redis.Resp;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import redis.embedded.RedisServer;
import redis.embedded.RedisServerBuilder;

/**
 * Two real redis-servers (the binary inside org.signal:embedded-redis), each on a free port and without
 * persistence: a master, given to the application, and its replica ({@code replicaof}, asynchronous as Redis
 * replicates by default), for the classes that declare {@link WithRedisReplica}. A test takes the replica's
 * acknowledgements away by stopping it; started again it resyncs the master's whole data set.
 */
public class ReplicatedRedisTestResource implements QuarkusTestResourceLifecycleManager {

    private static RedisServer master;
    private static RedisServer replica;
    private static int replicaPort;

    @Override
    public Map<String, String> start() {
        int masterPort = PackagedApp.freePort();
        master = server(masterPort).build();
        master.start();
        replicaPort = PackagedApp.freePort();
        replica = server(replicaPort).slaveOf("127.0.0.1", masterPort).build();
        replica.start();
        awaitReplicaInSync();
        return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + masterPort);
    }

    private static RedisServerBuilder server(int port) {
        return RedisServer.builder().port(port).bind("127.0.0.1").setting("save \"\"").setting("appendonly no");
    }

    @Override
    public void stop() {
        stopReplica();
        if (master != null && master.isActive()) {
            master.stop();
        }
    }

    /** The replica's port, for reading what it holds. */
    public static int replicaPort() {
        return replicaPort;
    }

    public static synchronized void stopReplica() {
        if (replica != null && replica.isActive()) {
            replica.stop();
        }
    }

    /**
     * Holds the master's stream on the replica for {@code pause} ({@code CLIENT PAUSE <ms> WRITE} there: the master's
     * link is a client of the replica like any other, so its writes wait, while reads are answered). Meanwhile the
     * replica stays connected and lags: it neither holds nor acknowledges what the master writes.
     */
    public static void pauseReplicaWrites(Duration pause) {
        Resp.call(replicaPort, "CLIENT", "PAUSE", Long.toString(pause.toMillis()), "WRITE");
    }

    /** Starts the replica again (empty, then resynced from the master) and waits until its link is up. */
    public static synchronized void startReplica() {
        if (!replica.isActive()) {
            replica.start();
        }
        awaitReplicaInSync();
    }

    /** Waits until the replica has loaded the master's data set and follows its stream. */
    public static void awaitReplicaInSync() {
        Conditions.await(() -> {
            try {
                return ((String) Resp.call(replicaPort, "INFO", "replication")).contains("master_link_status:up");
            } catch (UncheckedIOException e) {
                return false;
            }
        }, "the replica in sync with the master", Duration.ofSeconds(30));
    }
}

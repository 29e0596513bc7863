package io.envgrid.allocator.support;

import io.envgrid.testsupport.process.PackagedApp;
import redis.embedded.RedisServer;

/**
 * A real redis-server (the binary shipped inside org.signal:embedded-redis) on a free loopback
 * port, without persistence. It can be stopped and started again on the same port to simulate an
 * outage; it then comes back empty, with its script cache flushed, as a Redis without persistence does.
 */
public final class EmbeddedRedis implements AutoCloseable {

    private final int port;
    /** The port of the master this server replicates, or 0 for a master. */
    private final int masterPort;
    private RedisServer server;

    private EmbeddedRedis(int port, int masterPort) {
        this.port = port;
        this.masterPort = masterPort;
    }

    /** Starts a server on a free port. */
    public static EmbeddedRedis start() {
        EmbeddedRedis redis = new EmbeddedRedis(PackagedApp.freePort(), 0);
        redis.startServer();
        return redis;
    }

    /** Starts a replica of {@code master} on a free port (asynchronous replication, as Redis does by default). */
    public static EmbeddedRedis startReplicaOf(EmbeddedRedis master) {
        EmbeddedRedis redis = new EmbeddedRedis(PackagedApp.freePort(), master.port());
        redis.startServer();
        return redis;
    }

    public int port() {
        return port;
    }

    /** The connection string the allocator and the Redis clients take, e.g. {@code redis://127.0.0.1:6379}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server unless it is running already. */
    public synchronized void startServer() {
        if (server != null && server.isActive()) {
            return;
        }
        var builder = RedisServer.builder().port(port).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no");
        if (masterPort != 0) {
            builder.slaveOf("127.0.0.1", masterPort);
        }
        server = builder.build();
        server.start();
    }

    public synchronized void stopServer() {
        if (server != null && server.isActive()) {
            server.stop();
        }
    }

    @Override
    public void close() {
        stopServer();
    }
}

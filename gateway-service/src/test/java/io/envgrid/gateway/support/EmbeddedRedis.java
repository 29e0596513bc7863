package io.envgrid.gateway.support;

import io.envgrid.testsupport.process.PackagedApp;
import redis.embedded.RedisServer;

/** A real redis-server (shipped inside org.signal:embedded-redis) on a free loopback port, without persistence. */
public final class EmbeddedRedis implements AutoCloseable {

    private final int port = PackagedApp.freePort();
    private final RedisServer server;

    public EmbeddedRedis() {
        server = RedisServer.builder().port(port).bind("127.0.0.1").setting("save \"\"").setting("appendonly no").build();
        server.start();
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.stop();
    }
}

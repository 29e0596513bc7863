package io.envgrid.allocator.redis;

import io.envgrid.allocator.config.AllocatorConfig;
import io.netty.channel.EventLoop;
import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.runtime.client.VertxRedisClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Redis client per event loop, for the script calls of requests. The client Quarkus configures keeps all its pooled
 * connections on the one event loop that was current when it was created, so a call made on any other loop crosses
 * threads to lease a connection and write the command, and the answer crosses back: per script call several tasks
 * handed to another thread, which the allocate+release profile found under more than half of the event loops' time.
 * Here each event loop gets, on its first call, a client of its own with the same {@code quarkus.redis.*} options
 * (captured from Quarkus by {@link Options}), created on that loop, so its connections and their answers stay on
 * the loop of the request. Everything else stays the client's: the pool (a connection per call, returned after),
 * its reconnection after an outage, Sentinel's master discovery and failover, Cluster's slot routing. A caller that
 * is not on an event loop (a worker thread, a test's thread), or {@code envgrid.allocator.redis.per-event-loop=false},
 * gets the Quarkus client.
 */
@ApplicationScoped
public class LoopRedis {

    private final VertxInternal vertx;
    private final ReactiveRedisDataSource shared;
    private final Options options;
    private final boolean enabled;
    private final Map<EventLoop, Redis> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public LoopRedis(Vertx vertx, ReactiveRedisDataSource shared, Options options, AllocatorConfig config) {
        this.vertx = (VertxInternal) vertx;
        this.shared = shared;
        this.options = options;
        this.enabled = config.redis().perEventLoop();
    }

    /** The client whose connections live on the calling thread's event loop; the Quarkus client off event loops. */
    public Redis client() {
        ContextInternal context = ContextInternal.current();
        RedisOptions template = options.captured;
        if (!enabled || closed || template == null || context == null || !context.isEventLoopContext()
                || !context.nettyEventLoop().inEventLoop()) {
            return shared.getRedis().getDelegate();
        }
        EventLoop loop = context.nettyEventLoop();
        Redis client = clients.get(loop);
        if (client == null) {
            // only this loop's own thread gets here for this key, so no other thread can race to create it
            client = create(context, template);
            clients.put(loop, client);
        }
        return client;
    }

    /**
     * A client made while a plain context of the loop (not the request's duplicated one, which carries the request's
     * local data) is current: the client's connection manager takes the current context as the home of all the
     * connections it makes.
     */
    private Redis create(ContextInternal caller, RedisOptions template) {
        ContextInternal home = vertx.createEventLoopContext(caller.nettyEventLoop(), caller.workerPool(),
                caller.classLoader());
        RedisOptions options = new RedisOptions(template);
        // a pool name of its own, or the pool meters of every loop's client would be one meter registered again
        options.setPoolName(template.getPoolName() + "-loop-" + clients.size());
        Redis[] created = new Redis[1];
        home.dispatch(() -> created[0] = Redis.createClient(vertx, options));
        return created[0];
    }

    /** Number of event loops that have a client of their own (for tests). */
    int loops() {
        return clients.size();
    }

    @PreDestroy
    void close() {
        closed = true;
        clients.values().forEach(Redis::close);
        clients.clear();
    }

    /**
     * Keeps the options Quarkus built for its default Redis client from {@code quarkus.redis.*} (hosts, client type,
     * master name, pool, TLS, time-outs), so that the clients per loop are configured exactly as that one is. A bean
     * of its own: Quarkus asks for the customizers while it creates that client, before the beans that use Redis exist.
     */
    @Singleton
    public static class Options implements RedisOptionsCustomizer {

        private volatile RedisOptions captured;

        @Override
        public void customize(String clientName, RedisOptions options) {
            if (VertxRedisClientFactory.DEFAULT_CLIENT.equals(clientName)) {
                captured = options;
            }
        }
    }
}

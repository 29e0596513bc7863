package io.envgrid.gateway.security;

import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.redis.KeptSubscription;
import io.envgrid.redisscripts.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.redis.datasource.sortedset.ReactiveSortedSetCommands;
import io.quarkus.redis.datasource.sortedset.ScoreRange;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Signed tokens an operator revoked before their expiry, by {@code jti} (gateway README, "Revoking a token"). Redis
 * holds them for every replica: one key per token whose TTL is the token's remaining life ({@link
 * GatewayKeys#revokedToken}), indexed in a sorted set by the same time ({@link GatewayKeys#revokedTokens}), and a
 * message on {@link GatewayKeys#revocationChannel} tells every replica at once.
 *
 * <p>Each replica keeps a view of them in memory so that the synchronous checks (every HTTP request's token, the
 * Socket.IO connect) cost no round trip: the message adds to it, and a reload from the index every
 * {@code envgrid.gateway.auth.revocation-refresh} catches what a replica whose subscription was down missed. Whoever
 * keeps a token beyond one request (a Socket.IO connection) also asks Redis itself on every use ({@link #stored}),
 * which needs no message at all. Listeners ({@link #onRevoked}) hear each id the view learns, once, to end what the
 * token still holds.
 */
@ApplicationScoped
public class RevokedTokens {

    /** What a {@code jti} looks like: minted as 128 random bits in base64url; anything else was never issued. */
    public static final Pattern JTI = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private static final Logger LOG = Logger.getLogger(RevokedTokens.class);

    private final ReactiveRedisDataSource redis;
    private final ReactiveValueCommands<String, String> values;
    private final ReactiveSortedSetCommands<String, String> index;
    private final ReactivePubSubCommands<String> pubsub;
    private final GatewayKeys keys;
    private final Vertx vertx;
    private final Duration refresh;
    /** jti → epoch ms until which it is refused; entries past it are dropped when next read. */
    private final Map<String, Long> view = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private Cancellable subscription;
    private long timer = -1;

    public RevokedTokens(ReactiveRedisDataSource redis, GatewayKeys keys, GatewayConfig config, Vertx vertx) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.index = redis.sortedSet(String.class);
        this.pubsub = redis.pubsub(String.class);
        this.keys = keys;
        this.vertx = vertx;
        this.refresh = config.auth().revocationRefresh();
    }

    void start(@Observes StartupEvent event) {
        subscription = KeptSubscription.keep(pubsub, "the token revocations", this::onMessage, keys.revocationChannel());
        timer = vertx.setPeriodic(0, Math.max(100, refresh.toMillis()), t -> reload().subscribe().with(v -> { },
                e -> LOG.warnf("reloading the revoked tokens failed: %s", e.getMessage())));
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
        if (subscription != null) {
            subscription.cancel();
        }
    }

    /** Called with each {@code jti} this replica learns is revoked (from the message or a reload), once. */
    public void onRevoked(Consumer<String> listener) {
        listeners.add(listener);
    }

    /**
     * Stores a revocation and announces it in one step, keeping the later time. KEYS: the token's entry, the index;
     * ARGV: jti, until (epoch ms), the entry's TTL (ms), the channel. Answers the time kept. Read and written in one
     * script: read then written in two round trips, two revocations at once could both read nothing and the shorter
     * one, written last, let the token work again before its expiry.
     */
    private static final LuaScript REVOKE_SCRIPT = LuaScript.of("local kept = redis.call('GET', KEYS[1]) "
            + "if kept and tonumber(kept) >= tonumber(ARGV[2]) then return kept end "
            + "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) "
            + "redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) "
            + "redis.call('PUBLISH', ARGV[4], ARGV[1] .. ' ' .. ARGV[2]) return ARGV[2]");

    /**
     * Revokes the token {@code jti} until {@code until} (its expiry): stored for every replica with that as its TTL,
     * then announced. Revoking it again keeps the later of the two times, also when both run at once. Answers the
     * time kept.
     */
    public Uni<Instant> revoke(String jti, Instant until) {
        long ms = Math.max(1, until.toEpochMilli() - System.currentTimeMillis());
        return REVOKE_SCRIPT.run(redis, List.of(keys.revokedToken(jti), keys.revokedTokens()), jti,
                        Long.toString(until.toEpochMilli()), Long.toString(ms), keys.revocationChannel())
                .map(kept -> Long.parseLong(kept.toString()))
                .invoke(kept -> learn(jti, kept))
                .map(Instant::ofEpochMilli);
    }

    /** True when this replica knows the token {@code jti} is revoked; no Redis round trip. */
    public boolean known(String jti) {
        if (jti == null) {
            return false;
        }
        Long until = view.get(jti);
        if (until == null) {
            return false;
        }
        if (until <= System.currentTimeMillis()) {
            view.remove(jti, until); // the token has expired by now: its expiry refuses it
            return false;
        }
        return true;
    }

    /** Asks Redis whether the token {@code jti} is revoked (what it finds, the view learns too). */
    public Uni<Boolean> stored(String jti) {
        if (jti == null) {
            return Uni.createFrom().item(false);
        }
        return values.get(keys.revokedToken(jti)).map(until -> {
            if (until == null) {
                return false;
            }
            learn(jti, Long.parseLong(until));
            return true;
        });
    }

    /** An accepted token this replica knows is revoked becomes a 401, as any token that is no longer valid. */
    public Authentication screen(Authentication outcome) {
        if (outcome instanceof Authentication.Accepted accepted && known(accepted.principal().tokenId())) {
            coverExpiry(accepted.principal());
            return new Authentication.Refused(new ToolFailure(401, ErrorCode.UNAUTHORIZED,
                    "the bearer token has been revoked", Map.of()));
        }
        return outcome;
    }

    /**
     * {@link #screen} asking Redis first, for a token that can be revoked (one with a {@code jti}): a revocation stored
     * without its message (a replica that missed it, or written alone) refuses the request at once instead of after
     * the next reload, which reads only the index. One {@code GET} for such a token, none for the others.
     */
    public Uni<Authentication> screenStored(Authentication outcome) {
        if (!(outcome instanceof Authentication.Accepted accepted) || accepted.principal().tokenId() == null) {
            return Uni.createFrom().item(outcome);
        }
        // what stored() finds the view learns, so screen() refuses it (and extends it to the token's exp) as usual
        return stored(accepted.principal().tokenId()).map(found -> found ? screen(outcome) : outcome);
    }

    /**
     * The revoked token presented itself, and with it its own {@code exp}: a revocation kept for less (an operator's
     * {@code exp} earlier than the token's) would let it work again after it, so the revocation is extended to the
     * token's expiry. A token never presented while revoked cannot be seen: the operator's {@code exp} must then be
     * at least the token's (README).
     */
    private void coverExpiry(Principal principal) {
        String jti = principal.tokenId();
        Instant expiry = principal.expiry();
        Long until = view.get(jti);
        if (expiry == null || until == null || expiry.toEpochMilli() <= until) {
            return;
        }
        // the view first, so the requests that follow at once do not extend it again
        view.merge(jti, expiry.toEpochMilli(), Math::max);
        revoke(jti, expiry).subscribe().with(kept -> LOG.infof("revocation of token %s extended to its expiry %s", jti, kept),
                e -> LOG.warnf("extending the revocation of token %s to its expiry failed: %s", jti, e.getMessage()));
    }

    private void onMessage(String message) {
        int space = message.indexOf(' ');
        try {
            learn(message.substring(0, space), Long.parseLong(message.substring(space + 1)));
        } catch (RuntimeException e) {
            LOG.warnf("ignored a malformed revocation message: %s", message);
        }
    }

    /** Drops the index's entries of tokens that have expired by now and learns the others. */
    Uni<Void> reload() {
        long now = System.currentTimeMillis();
        return index.zremrangebyscore(keys.revokedTokens(), new ScoreRange<>(Double.NEGATIVE_INFINITY, (double) now))
                .chain(() -> index.zrangebyscoreWithScores(keys.revokedTokens(),
                        new ScoreRange<>((double) now, Double.POSITIVE_INFINITY)))
                .invoke(entries -> entries.forEach(e -> learn(e.value(), (long) e.score())))
                .replaceWithVoid();
    }

    private void learn(String jti, long until) {
        if (until <= System.currentTimeMillis()) {
            return;
        }
        // the later time wins here too: a reload or message may bring an entry older than one the view has
        Long before = view.get(jti);
        view.merge(jti, until, Math::max);
        if (before == null) {
            LOG.infof("token %s is revoked until %s", jti, Instant.ofEpochMilli(until));
            for (Consumer<String> listener : listeners) {
                try {
                    listener.accept(jti);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "a listener of the revocation of %s failed", jti);
                }
            }
        }
    }
}

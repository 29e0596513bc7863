package io.envgrid.gateway.redis;

import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * A Redis pub/sub subscription held for the life of the replica. The client's subscription ends with its connection
 * (Redis restarted or failed over, the connection killed or lost): its {@code Multi} then <em>completes</em>, and only
 * a failure was retried before, so a replica whose connection ended once stopped hearing its channel for good,
 * without a word (the relay of a session's messages to its stream, expiries, revocations, cancellations). Here an end
 * counts as a failure: it is logged at WARN and the channels are subscribed to again, after 1 s and then backing off
 * to at most 10 s. Messages published while no subscription is in place are lost (pub/sub delivers at most once):
 * a user that must not miss one is told when a subscription is in place again ({@code onSubscribedAgain}) and
 * catches up from what Redis recorded (see the gateway README, "Pub/sub and catching up").
 */
public final class KeptSubscription {

    private static final Logger LOG = Logger.getLogger(KeptSubscription.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);

    private KeptSubscription() {
    }

    /**
     * Subscribes to {@code channels} and keeps the subscription until the answer is cancelled.
     *
     * @param what who listens, for the log
     * @param onMessage called with each message's payload
     * @return cancel it to unsubscribe (at shutdown)
     */
    public static Cancellable keep(ReactivePubSubCommands<String> pubsub, String what, Consumer<String> onMessage,
            String... channels) {
        return keep(pubsub, what, onMessage, () -> { }, () -> { }, channels);
    }

    /**
     * As {@link #keep(ReactivePubSubCommands, String, Consumer, String...)}, telling the listener of the gap: {@code
     * onLost} runs once when a subscription in place ends (after the messages that arrived on it), {@code
     * onSubscribedAgain} once when a subscription is in place again (Redis confirmed it: every message published from
     * then on is delivered, and what was published before can be caught up with). Neither runs for the first
     * subscription. Both run on an event loop and must not block.
     */
    public static Cancellable keep(ReactivePubSubCommands<String> pubsub, String what, Consumer<String> onMessage,
            Runnable onLost, Runnable onSubscribedAgain, String... channels) {
        List<String> names = List.of(channels);
        AtomicBoolean subscribedOnce = new AtomicBoolean();
        AtomicBoolean inPlace = new AtomicBoolean();
        // the client's subscribe(channels) Multi gives no sign when Redis confirmed the subscription; its Uni form
        // completes then (on the SUBSCRIBE reply), so the Multi is built here on that form, with the hooks
        return Multi.createFrom().<String>emitter(emitter -> pubsub.subscribe(names, emitter::emit, emitter::complete,
                emitter::fail).subscribe().with(subscriber -> {
                    emitter.onTermination(() -> subscriber.unsubscribe().subscribe().with(v -> { }, e -> { }));
                    inPlace.set(true);
                    if (subscribedOnce.getAndSet(true)) {
                        LOG.infof("%s: subscribed to %s again", what, names);
                        onSubscribedAgain.run();
                    }
                }, emitter::fail))
                .onCompletion().failWith(() -> new IllegalStateException("its connection ended"))
                .onFailure().invoke(e -> {
                    LOG.warnf("%s: the Redis subscription to %s was lost (%s); subscribing again", what, names, e.getMessage());
                    if (inPlace.getAndSet(false)) {
                        onLost.run();
                    }
                })
                .onFailure().retry().withBackOff(FIRST_RETRY, LAST_RETRY).indefinitely()
                .subscribe().with(onMessage);
    }
}

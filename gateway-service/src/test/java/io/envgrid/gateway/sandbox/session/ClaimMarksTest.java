package io.envgrid.gateway.sandbox.session;

import io.envgrid.gateway.support.Conditions;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The marks that keep a Sandbox create's claim from the idle sweep ({@link SessionRouter#marking}) go on when one
 * touch takes longer than their period (a slow Redis): the ticks it overlaps are skipped. Before, those ticks failed
 * the stream (nobody had asked for them), the marks stopped after the slow touch, and the sweep could end a claim whose
 * create was still running.
 */
class ClaimMarksTest {

    @Test
    void aTouchSlowerThanThePeriodSkipsTicksAndTheMarksGoOn() {
        AtomicInteger touches = new AtomicInteger();
        Cancellable marks = SessionRouter.marking(Duration.ofMillis(1), () -> touches.incrementAndGet() == 1
                // the first touch takes twenty periods
                ? Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(20))
                : Uni.createFrom().voidItem(), "a test's claim");
        try {
            Conditions.await("touches after the slow one", Duration.ofSeconds(10), () -> touches.get() >= 5);
        } finally {
            marks.cancel();
        }
    }
}

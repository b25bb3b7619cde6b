package io.pvnet.engine;

import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The frontend re-arms its tx ring's {@code rsp_event} ({@code RING_FINAL_CHECK_FOR_RESPONSES}) when it finds no
 * answer while requests are outstanding, so that a guest sleeping on a full tx ring is woken by the backend's answers
 * rather than by its sleep's timeout.
 */
class NetfrontTxEventTest
{
    private VifPair pair;

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    @Test
    void shouldWakeASenderSleepingOnAFullTxRingWhenTheBackendAnswers() throws Exception
    {
        pair = new VifPair(VifConfig.of(1, 0), VifConfig.of(2, 0), NoFrameOffload.INSTANCE);
        pair.pump(3);
        assertTrue(pair.connected());
        final VifFrontend sender = pair.frontends[0];
        final UnsafeBuffer frame = VifPair.frame(60, 1);
        // one frame answered and reaped first: the ring's initial rsp_event (1) is behind from now on
        assertEquals(VifFrontend.OK, sender.transmit(frame, 0, 60, 0, 0, 0));
        sender.flush();
        pair.pump(2);
        assertEquals(0, sender.txOutstanding());

        int sent = 0;
        while (sender.transmit(frame, 0, 60, 0, 0, 0) == VifFrontend.OK)
        {
            sent++;
        }
        sender.flush();
        assertEquals(256, sent, "the tx ring and ids fill up");
        // the guest's idle strategy: announce the sleep, the final check (nothing answered yet), then sleep
        sender.prepareToSleep();
        assertEquals(0, sender.doWork());
        final long notifiesBefore = pair.backends[0].counters().get(VifCounters.NOTIFY_SENT);
        final AtomicLong wokeAt = new AtomicLong();
        final Thread sleeper = Thread.ofPlatform().start(() ->
        {
            sender.sleep(TimeUnit.SECONDS.toNanos(20));
            wokeAt.set(System.nanoTime());
        });
        Thread.sleep(100); // let it reach the kernel
        assertEquals(0, wokeAt.get(), "asleep until the backend answers");
        final long answeredAt = System.nanoTime();
        while (pair.backends[0].counters().get(VifCounters.TX_PACKETS) < 1 + sent)
        {
            pair.backends[0].doWork();
        }
        sleeper.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(wokeAt.get() != 0 && wokeAt.get() - answeredAt < TimeUnit.SECONDS.toNanos(2),
            "woken by the answers, not the 20 s timeout: " + (wokeAt.get() - answeredAt) / 1_000_000 + " ms");
        assertTrue(pair.backends[0].counters().get(VifCounters.NOTIFY_SENT) > notifiesBefore);
        sender.doWork();
        assertEquals(0, sender.txOutstanding(), "every id reaped after the wake-up");
    }
}

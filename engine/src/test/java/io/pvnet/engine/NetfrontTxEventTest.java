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
        assertEquals(VifFrontend.OK, sender.transmit(frame, 0, 60));
        sender.flush();
        pair.pump(2);
        assertEquals(0, sender.txOutstanding());

        int sent = 0;
        while (sender.transmit(frame, 0, 60) == VifFrontend.OK)
        {
            sent++;
        }
        sender.flush();
        assertEquals(256, sent, "the tx ring and ids fill up");
        final long notifiesBefore = pair.backends[0].counters().get(VifCounters.NOTIFY_SENT);
        final AtomicLong wokeAt = new AtomicLong();
        final AtomicLong sleeps = new AtomicLong();
        // the guest's thread as its idle strategy runs it: announce the sleep, the final check (reap: nothing
        // answered yet, so rsp_event is re-armed), sleep (at most one 50 ms slice), until its ids come back
        final Thread sleeper = Thread.ofPlatform().start(() ->
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() - deadline < 0)
            {
                sender.prepareToSleep();
                if (sender.doWork() > 0)
                {
                    sender.cancelSleep();
                    wokeAt.set(System.nanoTime());
                    return;
                }
                sleeps.incrementAndGet();
                sender.sleep(TimeUnit.SECONDS.toNanos(20));
            }
        });
        Thread.sleep(100); // it reaches the kernel
        assertEquals(0, wokeAt.get(), "nothing answered yet");
        final long answeredAt = System.nanoTime();
        while (pair.backends[0].counters().get(VifCounters.TX_PACKETS) < 1 + sent)
        {
            pair.backends[0].doWork();
        }
        sleeper.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(wokeAt.get() != 0 && wokeAt.get() - answeredAt < TimeUnit.SECONDS.toNanos(2),
            "the sender reaped its answers: " + (wokeAt.get() - answeredAt) / 1_000_000 + " ms");
        // the answers came with a notification: the frontend had re-armed the tx rsp_event (a stale one, left at 1
        // by the first round, would let the backend answer 256 slots silently and the sender sleep its whole timeout)
        assertTrue(pair.backends[0].counters().get(VifCounters.NOTIFY_SENT) > notifiesBefore,
            "backend notified the sleeping sender");
        assertTrue(sleeps.get() > 0);
        for (int i = 0; i < 10 && sender.txOutstanding() > 0; i++)
        {
            sender.doWork();
        }
        assertEquals(0, sender.txOutstanding(), "every id reaped");
    }
}

package io.pvnet.engine;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The one wait point for many vifs: idle vifs are not polled, a guest's notification makes the poller visit its vif
 * only, a vif with traffic lingers on the active list as long as asked, and 1,024 vifs behind a bridge on a sleeping
 * host thread carry traffic on a few of them.
 */
class VifPollerTest
{
    @Test
    void shouldPollOnlyTheVifsWhoseGuestsNotified() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(64))
        {
            sw.pumpUntilConnectedAndIdle();
            final long pollsBefore = sw.poller.vifPolls();
            for (int round = 0; round < 1000; round++)
            {
                sw.poller.doWork();
            }
            assertEquals(pollsBefore, sw.poller.vifPolls(), "idle vifs are not polled");

            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
            // the receiver first makes itself known to the bridge (else the frame floods every vif)
            sw.send(9, 3, frame);
            for (int round = 0; round < 20 && sw.received.get(3) == 0; round++)
            {
                sw.round();
            }
            sw.settle();
            final long before = sw.poller.vifPolls();
            sw.send(3, 9, frame);
            assertTrue(sw.poller.doWork() > 0, "the notification raised vif 4's bit");
            for (int round = 0; round < 20 && sw.received.get(9) == 0; round++)
            {
                sw.round();
            }
            assertEquals(1, sw.received.get(9), "delivered to vif 10 only");
            sw.settle();
            final long polls = sw.poller.vifPolls() - before;
            assertTrue(polls > 0 && polls <= 12, "polls " + polls + " for two active vifs of 64");
        }
    }

    /**
     * The wake figure's critical path: guest A's frame for guest B, taken from A's tx ring, is in B's rx ring (and B
     * notified) when that same duty cycle returns, not one duty cycle later (B's vif was put on the active list by the
     * offer during the cycle, and the cycle serves such vifs before it returns).
     */
    @Test
    void shouldHandAForwardedFrameToItsGuestInTheDutyCycleThatTookIt() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(4))
        {
            sw.pumpUntilConnectedAndIdle();
            for (int vif = 0; vif < 4; vif++)
            {
                sw.bridge.macTable().learn(1, VifConfig.of(vif + 1, 0).mac(), vif, System.nanoTime() / 1_000_000L);
            }
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
            for (int n = 1; n <= 3; n++)
            {
                sw.send(0, 1, frame);
                assertTrue(sw.poller.doWork() > 0, "the notification raised vif 1's bit");
                sw.frontends[1].poll((buffer, offset, length, metadata) -> sw.received.incrementAndGet(1), 64);
                assertEquals(n, sw.received.get(1), "frame " + n + " in vif 2's rx ring after one duty cycle");
                sw.settle();
            }
            assertEquals(0, sw.received.get(2) + sw.received.get(3), "unicast: nothing for vifs 3 and 4");
        }
    }

    @Test
    void shouldVisitOnlyTheVifsWithATimerRunningAndStampEveryHeartbeat() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(64))
        {
            sw.pumpUntilConnectedAndIdle();
            // idle: more than four housekeeping intervals and a heartbeat pass without visiting a vif
            final long start = System.currentTimeMillis();
            final long visitsBefore = sw.poller.timerVisits();
            final long pollsBefore = sw.poller.vifPolls();
            runFor(sw, TimeUnit.NANOSECONDS.toMillis(VifPoller.HEARTBEAT_NS) + 200);
            assertEquals(0, sw.poller.timedCount());
            assertEquals(visitsBefore, sw.poller.timerVisits(), "idle vifs are not visited on a timer");
            assertEquals(pollsBefore, sw.poller.vifPolls(), "nor polled");
            for (final VifBackend backend : sw.backends)
            {
                assertTrue(backend.counters().get(VifCounters.HEARTBEAT) >= start, "every vif's heartbeat is stamped");
            }

            // frames for a guest that does not take them: more than its posted buffers, so frames wait in its queue
            // (delivery when it posts, drain timeout): its vif, and only it, is visited on the timer
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
            final int length = TestFrames.raw(frame, 0, VifConfig.of(6, 0).mac(), VifConfig.of(7, 0).mac(), -1, 100);
            for (int i = 0; i < 600; i++)
            {
                assertEquals(0, sw.backends[5].offer(frame, 0, length, new FrameMetadata()));
            }
            runFor(sw, 700);
            assertEquals(1, sw.poller.timedCount(), "the vif with frames queued has a timer");
            final long visits = sw.poller.timerVisits() - visitsBefore;
            assertTrue(visits >= 2 && visits <= 4, "visited every 250 ms, that vif only: " + visits);

            // the guest takes them: the vif leaves the timer list
            final long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (sw.received.get(5) < 600 || sw.poller.timedCount() > 0)
            {
                assertTrue(System.nanoTime() < drained, "received " + sw.received.get(5) + " timed " +
                    sw.poller.timedCount());
                sw.guests();
                sw.poller.doWork();
                Thread.sleep(1);
            }
            assertEquals(0, sw.received.get(6), "delivered to vif 6 only");
        }
    }

    private static void runFor(final PolledSwitch sw, final long millis) throws InterruptedException
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - end < 0)
        {
            sw.poller.doWork();
            sw.bridge.doWork();
            Thread.sleep(5);
        }
    }

    @Test
    void shouldKeepAVifWithTrafficActiveForItsLingerThenDropIt() throws Exception
    {
        final long lingerNs = 50_000_000L;
        try (PolledSwitch sw = new PolledSwitch(4, lingerNs, true))
        {
            sw.pumpUntilConnectedAndIdle();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
            sw.send(0, 1, frame);
            final long sent = System.nanoTime();
            assertTrue(sw.poller.doWork() > 0, "the notification raised vif 1's bit");
            while (sw.poller.activeCount() > 0)
            {
                assertTrue(System.nanoTime() < deadline, "the vifs never left the active list");
                sw.round();
            }
            final long idleSeen = System.nanoTime();
            assertEquals(1, sw.received.get(1), "delivered (flooded: the bridge has not learnt vif 2 yet)");
            // the last work was after the send, and the vifs leave the list only a linger after their last work
            assertTrue(idleSeen - sent >= lingerNs, "polled for its linger after the last frame: " +
                (idleSeen - sent) / 1_000_000 + " ms");
            final long polls = sw.poller.vifPolls();
            for (int round = 0; round < 1000; round++)
            {
                sw.poller.doWork();
            }
            assertEquals(polls, sw.poller.vifPolls(), "after the linger the vifs are idle again and not polled");
        }
    }

    /**
     * A vif that receives a frame in every round is working even when its own poll finds nothing (the frames were
     * copied into its guest's buffers by the offer): it lingers on the active list with its port unarmed, rather than
     * being armed by each empty poll and put back by the next offer, once per burst (an isolated guest posting rx
     * buffers meanwhile would kick the host's epoll each time).
     */
    @Test
    void shouldKeepAVifThatIsOfferedFramesOnTheActiveListForItsLinger() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(2, 50_000_000L, true))
        {
            sw.pumpUntilConnectedAndIdle();
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
            int fewestActive = Integer.MAX_VALUE;
            for (int round = 0; round < 200; round++)
            {
                sw.send(0, 1, frame);
                sw.poller.doWork();
                if (round > 0)
                {
                    // vif 1's own poll finds nothing to do (the offers delivered straight into its guest's buffers)
                    fewestActive = Math.min(fewestActive, sw.poller.activeCount());
                }
                sw.bridge.doWork();
                sw.guests();
            }
            assertEquals(200, sw.received.get(1), "every frame delivered");
            assertEquals(2, fewestActive, "the receiving vif stayed on the active list between the offers");
        }
    }

    /**
     * XSA-332 in one process: a guest notifying its armed port in a tight loop with nothing in its rings. After a few
     * spurious kicks the host stops arming its port (a notification then costs the host nothing) for a backoff of up
     * to 16 ms; the vif next to it keeps its traffic; once the storm stops, the noisy guest's own frame gets through.
     */
    @Test
    void shouldStopListeningForAWhileToAGuestThatKicksWithoutCause() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(4))
        {
            sw.pumpUntilConnectedAndIdle();
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
            sw.send(3, 2, frame); // the receiver makes itself known to the bridge
            sw.send(2, 3, frame);
            for (int round = 0; round < 50; round++)
            {
                sw.round();
            }
            final long victimBefore = sw.received.get(3);
            final long takenBefore = sw.backends[2].counters().get(VifCounters.TX_PACKETS);
            final long deliveredBefore = sw.backends[3].counters().get(VifCounters.RX_PACKETS);
            final io.pvnet.ring.event.EventChannel hostile = new io.pvnet.ring.event.EventChannel(
                sw.region.findSection(VifSections.eventsName(1, 0)).buffer(), VifSections.frontendPort(0),
                VifSections.backendPort(0), IdleMode.NOOP, VifSections.findSelector(sw.region));
            final long pollsBefore = sw.poller.vifPolls(0);
            final int kicks = 20_000;
            int sent = 0;
            int raised = 0;
            for (int i = 0; i < kicks; i++)
            {
                raised += hostile.notifyPeer() ? 1 : 0;
                sw.poller.doWork();
                if (i % 200 == 0)
                {
                    sw.send(2, 3, frame);
                    sent++;
                }
                sw.bridge.doWork();
                sw.guests();
            }
            final long polls = sw.poller.vifPolls(0) - pollsBefore;
            final long spurious = sw.backends[0].counters().get(VifCounters.KICKS_SPURIOUS);
            final long backoffs = sw.backends[0].counters().get(VifCounters.KICK_BACKOFFS);
            System.out.println("in-process kick storm: " + kicks + " notifications, " + raised + " woke the host, " +
                polls + " polls of the vif, " + spurious + " spurious, " + backoffs + " backoffs");
            assertTrue(polls < kicks / 20, polls + " polls for " + kicks + " notifications");
            assertTrue(spurious > KickBackoff.THRESHOLD && backoffs >= 1, spurious + " spurious, " + backoffs);
            assertTrue(raised >= spurious, raised + " notifications woke the host, " + spurious + " spurious");
            assertEquals(0, sw.backends[1].counters().get(VifCounters.KICKS_SPURIOUS), "the victim's kicks had cause");
            for (int round = 0; round < 100 && sw.received.get(3) - victimBefore < sent; round++)
            {
                sw.round();
            }
            assertEquals(sent, sw.received.get(3) - victimBefore, "the vif next to it kept its traffic");
            assertEquals(sent, sw.backends[2].counters().get(VifCounters.TX_PACKETS) - takenBefore);
            assertEquals(sent, sw.backends[3].counters().get(VifCounters.RX_PACKETS) - deliveredBefore);
            assertEquals(0, sw.backends[2].counters().totalDrops() + sw.backends[3].counters().totalDrops());

            // the storm is over: the noisy guest's own frame arrives within the longest backoff (and some slack)
            final long receivedBefore = sw.received.get(3);
            sw.send(0, 3, frame);
            final long sentAt = System.nanoTime();
            while (sw.received.get(3) == receivedBefore)
            {
                assertTrue(System.nanoTime() - sentAt < TimeUnit.SECONDS.toNanos(2), "the noisy guest's frame");
                sw.round();
            }
            assertEquals(1, sw.backends[0].counters().get(VifCounters.TX_PACKETS), "the noisy guest's own frame");
        }
    }

    /**
     * A guest over its {@code rate}: the packets held back stay in its ring and it has no reason to kick for them, so
     * the sleeping host thread must wake itself when the next credit window opens (Linux's credit timer), not at its
     * 250 ms housekeeping: ten 1,414-byte frames at 2,000 bytes per 10 ms take about 70 ms (2.5 s by housekeeping).
     */
    @Test
    void shouldPollAVifAgainWhenItsRateCreditAllowsWithTheHostAsleep() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(4))
        {
            sw.startHost(IdleMode.SLEEP);
            awaitGuestsConnected(sw, TimeUnit.SECONDS.toNanos(20));
            for (final int vif : new int[] {2, 3})
            {
                sw.bridge.macTable().learn(1, PolledSwitch.config(vif).mac(), vif, System.nanoTime() / 1_000_000L);
            }
            // an administrator's write through a handle of its own: no watch of the poller's handle fires, the host
            // thread sees it by looking at the store (every 10 ms for a second after the vifs connected)
            VifRegion.attach(sw.region).store().write("backend/vif/3/0/rate", "2000,10000");
            Thread.sleep(50); // the backend reads the key at its next visit
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
            final int frames = 10;
            final long start = System.nanoTime();
            for (int i = 0; i < frames; i++)
            {
                final int length = TestFrames.raw(frame, 0, PolledSwitch.config(3).mac(), PolledSwitch.config(2).mac(),
                    -1, 1400);
                assertEquals(VifFrontend.OK, sw.frontends[2].transmit(frame, 0, length));
            }
            sw.frontends[2].flush();
            while (sw.received.get(3) < frames)
            {
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "frames not delivered");
                sw.guests();
                Thread.sleep(0, 200_000);
            }
            final long ms = (System.nanoTime() - start) / 1_000_000;
            final long limited = sw.backends[2].counters().get(VifCounters.RATE_LIMITED);
            System.out.println("rate 2000 B / 10 ms: " + frames + " frames of 1,414 B in " + ms + " ms, " + limited +
                " times held back");
            assertTrue(limited > 0, "the rate held packets back");
            assertTrue(ms >= 40, ms + " ms: faster than the rate allows");
            assertTrue(ms < 1_000, ms + " ms: the held-back packets waited for housekeeping visits");
        }
    }

    /**
     * xenstored's watch in one process: a guest that starts (writes its frontend keys) while the host thread sleeps
     * toward its heartbeat is connected within milliseconds, with nobody calling {@link VifPoller#wake()}: the
     * backend's watch on the guest's directory raises its vif's bit (4-6 ms at load 14; before, the host saw the guest
     * at its next wake-up, up to a second later: 1,024 ms).
     */
    @Test
    void shouldConnectAnInProcessGuestThatStartsWhileTheHostSleeps() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(2, 0L, false))
        {
            sw.startHost(IdleMode.ADAPTIVE);
            // a first guest connects (warms the code path up), then the host falls asleep
            final VifFrontend first = sw.startGuest(0);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!first.isConnected() || !sw.backends[0].isConnected())
            {
                assertTrue(System.nanoTime() < deadline, "the first guest did not connect");
                first.doWork();
                Thread.sleep(1);
            }
            sw.awaitHostInALongSleep();
            final long start = System.nanoTime();
            final VifFrontend guest = sw.startGuest(1);
            while (!guest.isConnected() || !sw.backends[1].isConnected())
            {
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the guest did not connect");
                guest.doWork();
                Thread.onSpinWait();
            }
            final long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("in-process guest started while the host slept: connected after " + ms + " ms");
            assertTrue(ms < 250, ms + " ms: the host thread saw the guest's keys only at the end of its sleep");
        }
    }

    /**
     * Closing the runner of a poller asleep until its next heartbeat returns within milliseconds
     * ({@link io.pvnet.ring.event.RunnerStop}), not at the end of the sleep. The goal is under 100 ms; the assertion
     * allows 250 ms so that a loaded machine does not fail it (the sleep it cuts short is about 2 s).
     */
    @Test
    void shouldCloseTheRunnerOfASleepingPollerWithinMilliseconds() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(2, 0L, false))
        {
            final AgentRunner host = sw.startHost(IdleMode.ADAPTIVE);
            sw.awaitHostInALongSleep();
            final long start = System.nanoTime();
            io.pvnet.ring.event.RunnerStop.close(host, sw.poller::wake);
            final long took = System.nanoTime() - start;
            System.out.printf("runner of a sleeping poller closed in %.2f ms%n", took / 1e6);
            assertTrue(host.isClosed());
            assertTrue(took < TimeUnit.MILLISECONDS.toNanos(250), "closed in " + took / 1_000_000 + " ms");
        }
    }

    /**
     * 1,024 vifs, the host thread sleeping in {@code adaptive} mode on the poller's selector: the guests of four pairs
     * exchange frames (woken by their notifications), the idle ones cost the host its sleeps. The region is a sparse
     * file in /dev/shm, deleted as soon as it is mapped.
     */
    @Test
    void shouldCarryTrafficOnAFewOfAThousandVifsWithTheHostAsleepBetween() throws Exception
    {
        try (PolledSwitch sw = new PolledSwitch(1024))
        {
            sw.startHost(IdleMode.ADAPTIVE);
            awaitGuestsConnected(sw, TimeUnit.SECONDS.toNanos(90));
            final int[][] pairs = {{0, 1023}, {1, 512}, {100, 900}, {700, 701}};
            for (final int[] pair : pairs)
            {
                for (final int vif : pair)
                {
                    // static entries (the bridge's port index is the vif's): unicast from the first frame
                    sw.bridge.macTable().learn(1, PolledSwitch.config(vif).mac(), vif, System.nanoTime() / 1_000_000L);
                }
            }
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
            final long sleepsBefore = sw.poller.sleeps();
            for (int n = 0; n < 50; n++)
            {
                for (final int[] pair : pairs)
                {
                    sw.send(pair[0], pair[1], frame);
                    sw.send(pair[1], pair[0], frame);
                }
                final long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!pairsReceived(sw, pairs, n + 1))
                {
                    assertTrue(System.nanoTime() < wait, "frames of round " + n + " not delivered");
                    for (final int[] pair : pairs)
                    {
                        for (final int vif : pair)
                        {
                            sw.frontends[vif].doWork();
                            sw.frontends[vif].poll((buffer, offset, length, metadata) ->
                                sw.received.incrementAndGet(vif), 64);
                        }
                    }
                    Thread.onSpinWait();
                }
                Thread.sleep(1); // longer than the spin window: the host falls asleep between rounds
            }
            for (final int[] pair : pairs)
            {
                assertEquals(50, sw.received.get(pair[0]), "vif " + pair[0]);
                assertEquals(50, sw.received.get(pair[1]), "vif " + pair[1]);
            }
            assertEquals(0, sw.received.get(2), "unicast after learning: no floods to idle vifs");
            assertTrue(sw.poller.sleeps() > sleepsBefore, "the host thread slept between rounds");
        }
    }

    /** Polls the guests on this thread (the host runs on its own) until every vif is connected. */
    private static void awaitGuestsConnected(final PolledSwitch sw, final long timeoutNs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (!sw.connected())
        {
            assertTrue(System.nanoTime() < deadline, sw.frontends.length + " vifs did not connect");
            sw.guests();
            Thread.sleep(1);
        }
    }

    private static boolean pairsReceived(final PolledSwitch sw, final int[][] pairs, final int count)
    {
        for (final int[] pair : pairs)
        {
            if (sw.received.get(pair[0]) < count || sw.received.get(pair[1]) < count)
            {
                return false;
            }
        }
        return true;
    }
}

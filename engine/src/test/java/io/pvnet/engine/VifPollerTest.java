package io.pvnet.engine;

import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.vif.VifPort;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.region.Region;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The one wait point for many vifs: idle vifs are not polled, a guest's notification makes the poller visit its vif
 * only, a vif with traffic lingers on the active list as long as asked, and 1,024 vifs behind a bridge on a sleeping
 * host thread carry traffic on a few of them.
 */
class VifPollerTest
{
    private static final class Switch implements AutoCloseable
    {
        final Region region;
        final VifPoller poller;
        final Bridge bridge;
        final VifBackend[] backends;
        final VifFrontend[] frontends;
        final AtomicLongArray received;

        Switch(final int vifs, final Path file)
        {
            this(vifs, file, 0);
        }

        Switch(final int vifs, final Path file, final long lingerNs)
        {
            region = file == null ?
                Region.createAnonymous(VifRegion.regionBytes(vifs), VifRegion.sectionCapacity(vifs)) :
                Region.create(file, VifRegion.regionBytes(vifs), VifRegion.sectionCapacity(vifs));
            final VifRegion vifRegion = VifRegion.create(region, vifs);
            poller = new VifPoller(VifSections.createSelector(region, vifs), vifRegion.store(),
                VifPoller.HOUSEKEEPING_MS * 1_000_000L, lingerNs);
            bridge = new Bridge(new BridgeConfig(Math.max(64, vifs), 65536, BridgeConfig.DEFAULT_AGING_NS,
                SystemNanoClock.INSTANCE, new ChecksumFrameOffload()));
            backends = new VifBackend[vifs];
            frontends = new VifFrontend[vifs];
            received = new AtomicLongArray(vifs);
            for (int i = 0; i < vifs; i++)
            {
                final VifConfig config = VifConfig.of(i + 1, 0);
                final VifPort port = new VifPort("vif" + (i + 1));
                final int index = bridge.attach(port, PortVlan.access(1));
                backends[i] = VifBackend.create(vifRegion, config, bridge.ingress(index), new ChecksumFrameOffload());
                port.backend(backends[i]);
                poller.add(backends[i]);
                frontends[i] = VifFrontend.create(vifRegion, config, backends[i].counters(), new ChecksumFrameOffload());
            }
        }

        int guests()
        {
            int work = 0;
            for (int i = 0; i < frontends.length; i++)
            {
                final int vif = i;
                work += frontends[i].doWork();
                work += frontends[i].poll((buffer, offset, length, metadata) -> received.incrementAndGet(vif), 64);
            }
            return work;
        }

        boolean connected()
        {
            for (int i = 0; i < frontends.length; i++)
            {
                if (!frontends[i].isConnected() || !backends[i].isConnected())
                {
                    return false;
                }
            }
            return true;
        }

        void send(final int from, final int to, final UnsafeBuffer frame)
        {
            final int length = TestFrames.raw(frame, 0, VifConfig.of(to + 1, 0).mac(), VifConfig.of(from + 1, 0).mac(),
                -1, 100);
            assertEquals(VifFrontend.OK, frontends[from].transmit(frame, 0, length));
            frontends[from].flush();
        }

        @Override
        public void close()
        {
            region.close();
        }
    }

    @Test
    void shouldPollOnlyTheVifsWhoseGuestsNotified() throws Exception
    {
        try (Switch sw = new Switch(64, null))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!sw.connected() || sw.poller.activeCount() > 0)
            {
                assertTrue(System.nanoTime() < deadline, "vifs did not connect and settle");
                sw.poller.doWork();
                sw.bridge.doWork();
                sw.guests();
                Thread.sleep(1);
            }
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
                sw.poller.doWork();
                sw.bridge.doWork();
                sw.guests();
            }
            settle(sw);
            final long before = sw.poller.vifPolls();
            sw.send(3, 9, frame);
            assertTrue(sw.poller.doWork() > 0, "the notification raised vif 4's bit");
            for (int round = 0; round < 20 && sw.received.get(9) == 0; round++)
            {
                sw.poller.doWork();
                sw.bridge.doWork();
                sw.guests();
            }
            assertEquals(1, sw.received.get(9), "delivered to vif 10 only");
            settle(sw);
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
        try (Switch sw = new Switch(4, null))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!sw.connected() || sw.poller.activeCount() > 0)
            {
                assertTrue(System.nanoTime() < deadline, "vifs did not connect and settle");
                sw.poller.doWork();
                sw.bridge.doWork();
                sw.guests();
                Thread.sleep(1);
            }
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
                settle(sw);
            }
            assertEquals(0, sw.received.get(2) + sw.received.get(3), "unicast: nothing for vifs 3 and 4");
        }
    }

    @Test
    void shouldKeepAVifWithTrafficActiveForItsLingerThenDropIt() throws Exception
    {
        final long lingerNs = 50_000_000L;
        try (Switch sw = new Switch(4, null, lingerNs))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!sw.connected() || sw.poller.activeCount() > 0)
            {
                assertTrue(System.nanoTime() < deadline, "vifs did not connect and settle");
                sw.poller.doWork();
                sw.bridge.doWork();
                sw.guests();
                Thread.sleep(1);
            }
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
            sw.send(0, 1, frame);
            final long sent = System.nanoTime();
            assertTrue(sw.poller.doWork() > 0, "the notification raised vif 1's bit");
            while (sw.poller.activeCount() > 0)
            {
                assertTrue(System.nanoTime() < deadline, "the vifs never left the active list");
                sw.poller.doWork();
                sw.bridge.doWork();
                sw.guests();
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

    private static void settle(final Switch sw)
    {
        for (int round = 0; round < 50 && sw.poller.activeCount() > 0; round++)
        {
            sw.poller.doWork();
            sw.bridge.doWork();
            sw.guests();
        }
        assertEquals(0, sw.poller.activeCount(), "every vif went idle again");
    }

    /**
     * 1,024 vifs, the host thread sleeping in {@code adaptive} mode on the poller's selector: the guests of four pairs
     * exchange frames (woken by their notifications), the idle ones cost the host its sleeps.
     */
    @Test
    void shouldCarryTrafficOnAFewOfAThousandVifsWithTheHostAsleepBetween() throws Exception
    {
        final Path file = Files.createTempFile(Path.of("/dev/shm"), "pvnet-poller-test", ".region");
        Files.delete(file);
        try (Switch sw = new Switch(1024, file))
        {
            final AgentRunner host = new AgentRunner(IdleMode.ADAPTIVE.newIdleStrategy(sw.poller),
                Throwable::printStackTrace, null, new CompositeAgent(sw.poller, sw.bridge));
            AgentRunner.startOnThread(host);
            try
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (!allFrontendsConnected(sw))
                {
                    assertTrue(System.nanoTime() < deadline, "1,024 vifs did not connect");
                    sw.guests();
                    Thread.sleep(1);
                }
                final int[][] pairs = {{0, 1023}, {1, 512}, {100, 900}, {700, 701}};
                for (final int[] pair : pairs)
                {
                    for (final int vif : pair)
                    {
                        // static entries (the bridge's port index is the vif's): unicast from the first frame
                        sw.bridge.macTable().learn(1, VifConfig.of(vif + 1, 0).mac(), vif, System.nanoTime() / 1_000_000L);
                    }
                }
                final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
                final long sleepsBefore = sleeps(sw, host);
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
                assertTrue(sleeps(sw, host) > sleepsBefore, "the host thread slept between rounds");
            }
            finally
            {
                host.close();
            }
        }
        assertFalse(Files.exists(file));
    }

    private static long sleeps(final Switch sw, final AgentRunner host)
    {
        return sw.poller.sleeps();
    }

    private static boolean allFrontendsConnected(final Switch sw)
    {
        for (final VifFrontend frontend : sw.frontends)
        {
            if (!frontend.isConnected())
            {
                return false;
            }
        }
        return true;
    }

    private static boolean pairsReceived(final Switch sw, final int[][] pairs, final int count)
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

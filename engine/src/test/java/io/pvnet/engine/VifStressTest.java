package io.pvnet.engine;

import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.ring.region.Region;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Guests on the test thread, both backends on an agent thread, {@code -Dpvnet.vif.stress.frames} frames (default
 * 300,000) of every size from 60 to 9,000 bytes (multi-slot above a page), each checked byte for byte and in order on
 * arrival: the memory ordering between the two halves, exercised for real.
 */
class VifStressTest
{
    private static final int FRAMES = Integer.getInteger("pvnet.vif.stress.frames", 300_000);
    /** Frames in flight: at most 9,000 bytes each, well within the 512 KiB rx queue (more would be dropped there). */
    private static final int WINDOW = 48;

    @Test
    void shouldDeliverEveryFrameIntactAndInOrderAcrossThreads()
    {
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(2)))
        {
            final VifRegion vifRegion = VifRegion.create(region);
            final VifBackend[] backends = new VifBackend[2];
            final VifConfig a = VifConfig.of(1, 0).withMtu(9000);
            final VifConfig b = VifConfig.of(2, 0).withMtu(9000);
            final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
            backends[0] = cable.plug(0, VifBackend.create(vifRegion, a, cable.ingress(0), new ChecksumFrameOffload()));
            backends[1] = cable.plug(1, VifBackend.create(vifRegion, b, cable.ingress(1), new ChecksumFrameOffload()));
            final VifFrontend sender = VifFrontend.create(vifRegion, a, backends[0].counters(), new ChecksumFrameOffload());
            final VifFrontend receiver = VifFrontend.create(vifRegion, b, backends[1].counters(), new ChecksumFrameOffload());
            final AgentRunner host = new AgentRunner(new YieldingIdleStrategy(), Throwable::printStackTrace, null,
                new CompositeAgent(backends[0], backends[1]));
            AgentRunner.startOnThread(host);
            try
            {
                final long connectDeadline = System.nanoTime() + 10_000_000_000L;
                while (!(sender.isConnected() && receiver.isConnected() && backends[0].isConnected() &&
                    backends[1].isConnected()) && System.nanoTime() - connectDeadline < 0)
                {
                    sender.doWork();
                    receiver.doWork();
                    Thread.yield();
                }
                assertTrue(backends[1].isConnected() && receiver.isConnected(), "connected");

                final Checker checker = new Checker();
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[9000]);
                int sent = 0;
                final long deadline = System.nanoTime() + 120_000_000_000L;
                while (checker.next < FRAMES && checker.bad == null && System.nanoTime() - deadline < 0)
                {
                    while (sent < FRAMES && sent - checker.next < WINDOW)
                    {
                        final int length = Checker.length(sent);
                        Checker.fill(frame, sent, length);
                        if (sender.transmit(frame, 0, length) != VifFrontend.OK)
                        {
                            break;
                        }
                        sent++;
                    }
                    sender.flush();
                    sender.doWork();
                    receiver.doWork();
                    if (receiver.poll(checker, 256) == 0)
                    {
                        Thread.yield();
                    }
                }
                assertNull(checker.bad, "drops: " + backends[0].counters().totalDrops() + " + " +
                    backends[1].counters().totalDrops());
                assertEquals(FRAMES, checker.next);
            }
            finally
            {
                host.close();
            }
            assertEquals(FRAMES, backends[0].counters().get(VifCounters.TX_PACKETS));
            assertEquals(FRAMES, backends[1].counters().get(VifCounters.RX_PACKETS));
            assertEquals(0, backends[0].counters().totalDrops() + backends[1].counters().totalDrops());
        }
    }

    private static final class Checker implements FrameHandler
    {
        int next;
        String bad;

        static int length(final int sequence)
        {
            return 60 + (int)((sequence * 2_654_435_761L) & 0x7FFF_FFFF) % (9000 - 60 + 1);
        }

        static void fill(final UnsafeBuffer frame, final int sequence, final int length)
        {
            frame.putInt(0, sequence, ByteOrder.LITTLE_ENDIAN);
            for (int i = 4; i + 8 < length; i += 8)
            {
                frame.putLong(i, sequence * 0x9E37_79B9_7F4A_7C15L ^ i);
            }
            frame.putByte(length - 1, (byte)(sequence ^ 0x5A));
        }

        @Override
        public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            if (bad != null)
            {
                return;
            }
            final int sequence = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
            if (sequence != next || length != length(sequence))
            {
                bad = "frame " + sequence + " of " + length + " bytes, expected frame " + next + " of " + length(next);
                return;
            }
            for (int i = 4; i + 8 < length; i += 8)
            {
                if (buffer.getLong(offset + i) != (sequence * 0x9E37_79B9_7F4A_7C15L ^ i))
                {
                    bad = "frame " + sequence + " corrupt at byte " + i;
                    return;
                }
            }
            if (buffer.getByte(offset + length - 1) != (byte)(sequence ^ 0x5A))
            {
                bad = "frame " + sequence + " corrupt in its last byte";
                return;
            }
            next++;
        }
    }
}

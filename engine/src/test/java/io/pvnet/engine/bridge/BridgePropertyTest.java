package io.pvnet.engine.bridge;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import io.pvnet.testsupport.AllocationRounds;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge against a plain reference model (a HashMap forwarding table) over random traffic: the same ports receive
 * every frame, the same drops are counted, every port's {@code offered = sent + drops}, and switching allocates nothing.
 */
class BridgePropertyTest
{
    /** Reused for every frame handed in, as the data path does (so the allocation checks see none). */
    private final FrameMetadata metadata = new FrameMetadata();

    private static final int FRAMES = Integer.getInteger("pvnet.bridge.propertyFrames", 200_000);
    private static final long AGING_NS = 5_000_000_000L;
    private static final long[] MACS = new long[24];
    private static final PortVlan[] VLANS =
    {
        PortVlan.access(1), PortVlan.access(1), PortVlan.access(2), PortVlan.trunk(PortVlan.NO_NATIVE, 1, 2),
        PortVlan.trunk(1, 2, 3), PortVlan.access(3),
    };

    static
    {
        for (int i = 0; i < MACS.length; i++)
        {
            MACS[i] = 0x02_00_00_00_10_00L + i;
        }
    }

    @Test
    void shouldMatchTheReferenceModelAndAccountForEveryFrame()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final Bridge bridge = new Bridge(new BridgeConfig(8, 4096, AGING_NS, clock, new CountingFrameOffload()));
        final RecordingPort[] ports = new RecordingPort[VLANS.length];
        for (int i = 0; i < ports.length; i++)
        {
            ports[i] = new RecordingPort("p" + i, i % 2 == 0 ? PortOffloads.ALL : PortOffloads.NONE, 1500);
            ports[i].recording = false;
            bridge.attach(ports[i], VLANS[i]);
        }
        final Map<Long, long[]> model = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(42);
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
        final long[] before = new long[ports.length];
        long nowNs = 0;
        final long[] expectedDrops = new long[PortDropReason.END];

        for (int n = 0; n < FRAMES; n++)
        {
            if (random.nextInt(100) == 0)
            {
                nowNs += random.nextLong(AGING_NS / 4);
                clock.update(nowNs);
                bridge.doWork();
            }
            final int in = random.nextInt(ports.length);
            final long src = random.nextInt(20) == 0 ? 0x01_00_5E_00_00_01L : MACS[random.nextInt(MACS.length)];
            final int kind = random.nextInt(10);
            final long dst = kind == 0 ? TestFrames.BROADCAST : kind == 1 ? 0x33_33_00_00_00_02L :
                MACS[random.nextInt(MACS.length)];
            final int vlan = random.nextInt(4) == 0 ? -1 : random.nextInt(5);
            final boolean tcp = random.nextInt(4) == 0;
            int length = TestFrames.raw(frame, 0, dst, src, vlan, 60 + random.nextInt(200));
            int flags = 0;
            if (tcp)
            {
                length = TestFrames.tcp4(frame, 0, vlan, random.nextInt(1000), true);
                TestFrames.putMac(frame, 0, dst);
                TestFrames.putMac(frame, 6, src);
                flags = FrameFlags.CSUM_PARTIAL;
            }
            for (int i = 0; i < ports.length; i++)
            {
                before[i] = ports[i].count;
            }

            final int reason = bridge.ingress(in).onFrame(frame, 0, length, metadata.set(flags, 0, 0));
            final long expectedTargets = reference(model, in, src, dst, vlan, nowNs / 1_000_000L, expectedDrops);
            final int expectedReason = expectedTargets < 0 ? (int)-expectedTargets : 0;
            assertEquals(expectedReason, reason, "frame " + n);
            for (int i = 0; i < ports.length; i++)
            {
                final long expected = expectedTargets > 0 && (expectedTargets & (1L << i)) != 0 ? 1 : 0;
                assertEquals(expected, ports[i].count - before[i], "frame " + n + " port " + i);
            }
        }

        for (int i = 0; i < ports.length; i++)
        {
            final PortCounters counters = bridge.counters(i);
            assertEquals(counters.get(PortCounters.TX_OFFERED),
                counters.get(PortCounters.TX_FRAMES) + counters.txDropsTotal(), "port " + i);
            assertEquals(ports[i].count, counters.get(PortCounters.TX_FRAMES), "port " + i);
        }
        long drops = 0;
        for (int i = 0; i < ports.length; i++)
        {
            for (int r = PortDropReason.FIRST; r < PortDropReason.END; r++)
            {
                drops += bridge.counters(i).rxDrops(r);
            }
        }
        long expected = 0;
        for (final long d : expectedDrops)
        {
            expected += d;
        }
        assertEquals(expected, drops);
        assertTrue(bridge.softwareChecksums() > 0 && bridge.passedThroughOffloads() > 0);
    }

    /** @return a bit set of the ports that receive the frame, or minus the ingress drop reason. */
    private static long reference(
        final Map<Long, long[]> model, final int in, final long src, final long dst, final int tag, final long nowMs,
        final long[] drops)
    {
        final PortVlan portVlan = VLANS[in];
        final int vlan;
        if (tag >= 0)
        {
            if (!portVlan.isTrunk())
            {
                drops[PortDropReason.VLAN_TAGGING]++;
                return -PortDropReason.VLAN_TAGGING;
            }
            if (!portVlan.carries(tag))
            {
                drops[PortDropReason.VLAN_INGRESS]++;
                return -PortDropReason.VLAN_INGRESS;
            }
            vlan = tag;
        }
        else
        {
            vlan = portVlan.untaggedVlan();
            if (vlan < 0)
            {
                drops[PortDropReason.VLAN_TAGGING]++;
                return -PortDropReason.VLAN_TAGGING;
            }
        }
        if ((src >>> 40 & 1) == 0)
        {
            model.put(MacTable.key(vlan, src), new long[]{in, nowMs});
        }
        final long[] entry = (dst >>> 40 & 1) == 0 ? model.get(MacTable.key(vlan, dst)) : null;
        if (entry != null && nowMs - entry[1] < AGING_NS / 1_000_000L)
        {
            if (entry[0] == in)
            {
                drops[PortDropReason.SAME_PORT]++;
                return -PortDropReason.SAME_PORT;
            }
            return 1L << entry[0];
        }
        long targets = 0;
        for (int i = 0; i < VLANS.length; i++)
        {
            if (i != in && VLANS[i].carries(vlan))
            {
                targets |= 1L << i;
            }
        }
        return targets == 0 ? 0 : targets;
    }

    @Test
    void shouldSwitchWithoutAllocating()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final Bridge bridge = new Bridge(new BridgeConfig(8, 4096, AGING_NS, clock, new CountingFrameOffload(new ChecksumFrameOffload(io.pvnet.checksum.Checksums.byName(System.getProperty("pvnet.test.variant", "long"))))));
        final RecordingPort[] ports = new RecordingPort[4];
        for (int i = 0; i < ports.length; i++)
        {
            ports[i] = new RecordingPort("p" + i, i == 0 ? PortOffloads.ALL : PortOffloads.NONE, 1500);
            ports[i].recording = false;
            bridge.attach(ports[i], i == 3 ? PortVlan.trunk(1, 2) : PortVlan.access(1));
        }
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
        final int tsoLength = TestFrames.tcp4(frame, 0, -1, 30_000, true);
        final UnsafeBuffer small = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
        final AllocationRounds run = new AllocationRounds().runUntilBelow(1024, () ->
        {
            for (int n = 0; n < 50_000; n++)
            {
                final long src = 0x02_00_00_00_20_00L + (n & 63);
                TestFrames.raw(small, 0, n % 3 == 0 ? TestFrames.BROADCAST : 0x02_00_00_00_20_00L + (n + 7 & 63),
                    src, -1, 128);
                bridge.ingress(n & 3).onFrame(small, 0, 128, metadata.set(0, 0, 0));
                if ((n & 255) == 0)
                {
                    clock.advance(1_000_000L);
                    bridge.doWork();
                    bridge.ingress(0).onFrame(frame, 0, tsoLength, metadata.set(FrameFlags.CSUM_PARTIAL, 1448, 1));
                }
            }
        });
        assertTrue(run.lastAllocated < 1024, "allocated " + run.lastAllocated + " bytes in 50000 frames");
        assertTrue(bridge.softwareSegments() > 0);
    }
}

package io.pvnet.engine.bridge;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortOffloads;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input to the bridge and the checksum module's offload behind it: random and mutated frames (truncated
 * headers, tags, IP lengths that lie, GSO sizes and types that make no sense, lengths up to the largest frame) from
 * random ports into ports of random MTU and offloads. Nothing may throw, and every port's accounting must balance.
 */
class BridgeFuzzTest
{
    private static final int FRAMES = Integer.getInteger("pvnet.bridge.fuzzFrames", 40_000);

    @Test
    void shouldNeverThrowAndAlwaysAccount()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final CachedNanoClock clock = new CachedNanoClock();
        final Bridge bridge = new Bridge(new BridgeConfig(8, 256, 1_000_000_000L, clock, new ChecksumFrameOffload()));
        final int[] offloads = {PortOffloads.NONE, PortOffloads.CHECKSUM, PortOffloads.ALL, PortOffloads.TSO4};
        final int[] mtus = {68, 576, 1280, 1500, 9000, 65535};
        final RecordingPort[] ports = new RecordingPort[6];
        for (int i = 0; i < ports.length; i++)
        {
            ports[i] = new RecordingPort("p" + i, offloads[random.nextInt(offloads.length)],
                mtus[random.nextInt(mtus.length)]);
            ports[i].recording = false;
            bridge.attach(ports[i], i < 4 ? PortVlan.access(1) : PortVlan.trunk(1, 2, 3));
        }
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
        for (int n = 0; n < FRAMES; n++)
        {
            if ((n & 1023) == 0)
            {
                clock.advance(100_000_000L);
                bridge.doWork();
            }
            int length;
            final int kind = random.nextInt(4);
            if (kind == 0)
            {
                length = 1 + random.nextInt(random.nextBoolean() ? 100 : 66_000);
                for (int i = 0; i < length; i++)
                {
                    frame.putByte(i, (byte)random.nextInt());
                }
            }
            else
            {
                length = TestFrames.tcp4(frame, 0, random.nextInt(3) - 1, random.nextInt(random.nextBoolean() ?
                    1500 : 60_000), random.nextBoolean());
                if (kind == 1)
                {
                    for (int m = random.nextInt(6); m >= 0; m--)
                    {
                        frame.putByte(random.nextInt(Math.min(length, 80)), (byte)random.nextInt());
                    }
                }
                else if (kind == 2)
                {
                    length = 1 + random.nextInt(length);
                }
                TestFrames.putMac(frame, 0, random.nextInt(4) == 0 ? TestFrames.BROADCAST :
                    0x02_00_00_00_00_00L + random.nextInt(16));
                TestFrames.putMac(frame, 6, 0x02_00_00_00_00_00L + random.nextInt(16));
            }
            final int flags = random.nextInt(4);
            final int gsoSize = random.nextInt(3) == 0 ? random.nextInt(70_000) - 10 : 0;
            final int gsoType = random.nextInt(4);
            final int offset = random.nextInt(3) == 0 ? -random.nextInt(5) : 0;
            bridge.ingress(random.nextInt(ports.length)).onFrame(frame, offset, length,
                FrameMetadata.of(flags & (FrameFlags.CSUM_PARTIAL
                | FrameFlags.DATA_VALIDATED), gsoSize, gsoType));
        }
        long delivered = 0;
        for (int i = 0; i < ports.length; i++)
        {
            final PortCounters counters = bridge.counters(i);
            assertEquals(counters.get(PortCounters.TX_OFFERED),
                counters.get(PortCounters.TX_FRAMES) + counters.txDropsTotal(), "port " + i);
            assertEquals(counters.get(PortCounters.TX_FRAMES) > 0, ports[i].count > 0);
            delivered += ports[i].count;
        }
        assertTrue(delivered > FRAMES / 10, "delivered " + delivered);
    }
}

package io.pvnet.engine.bridge;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.port.vif.VifPort;
import io.pvnet.testsupport.TestFrames;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three guests (netfront + xnb in one region) on one bridge through {@link VifPort}s: learning between vifs, and a TSO
 * frame reaching a guest that negotiated GSO untouched and a guest that did not as complete segments.
 */
class VifBridgeTest
{
    private static final long[] MACS = {0x02_00_00_00_0A_01L, 0x02_00_00_00_0A_02L, 0x02_00_00_00_0A_03L};

    @Test
    void shouldSwitchBetweenGuestsAndSplitOnlyForTheGuestWithoutGso()
    {
        try (BridgedVifs vifs = new BridgedVifs(VifConfig.of(1, 0), VifConfig.of(2, 0),
            VifConfig.of(3, 0).withOffloads(false, false, false)))
        {
            vifs.startGuests();
            final VifBackend[] backends = vifs.backends;
            final VifFrontend[] frontends = vifs.frontends;
            final Received[] received = {new Received(), new Received(), new Received()};
            final Runnable pump = () -> vifs.pump(received);
            pump.run();
            for (int i = 0; i < 3; i++)
            {
                assertTrue(backends[i].isConnected() && frontends[i].isConnected(), "vif " + i);
            }

            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
            int length = TestFrames.raw(frame, 0, MACS[1], MACS[0], -1, 200);
            frontends[0].transmit(frame, 0, length);
            frontends[0].flush();
            pump.run();
            assertEquals(List.of(0, 1, 1), received(received), "unknown unicast flooded");

            length = TestFrames.raw(frame, 0, MACS[0], MACS[1], -1, 200);
            frontends[1].transmit(frame, 0, length);
            frontends[1].flush();
            pump.run();
            assertEquals(List.of(1, 0, 0), received(received), "MAC of vif 1 learned");

            length = TestFrames.raw(frame, 0, MACS[1], MACS[0], -1, 200);
            frontends[0].transmit(frame, 0, length);
            frontends[0].flush();
            pump.run();
            assertEquals(List.of(0, 1, 0), received(received), "known unicast to vif 2 only");

            length = TestFrames.tcp4(frame, 0, -1, 30_000, true);
            TestFrames.putMac(frame, 0, TestFrames.BROADCAST);
            TestFrames.putMac(frame, 6, MACS[0]);
            frontends[0].transmit(frame, 0, length, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 1448,
                XEN_NETIF_GSO_TYPE_TCPV4));
            frontends[0].flush();
            pump.run();
            pump.run();
            assertEquals(1, received[1].lengths.size(), "the GSO guest gets one frame");
            assertEquals(1448, received[1].gso.get(0));
            assertEquals(length, received[1].lengths.get(0));
            final int segments = (30_000 + 1447) / 1448;
            assertEquals(segments, received[2].frames.size(), "the guest without GSO gets segments");
            int payload = 0;
            for (final byte[] segment : received[2].frames)
            {
                assertTrue(TestFrames.l4ChecksumOk(new UnsafeBuffer(segment), 0, segment.length));
                payload += segment.length - 54;
            }
            assertEquals(30_000, payload);
        }
    }

    private static List<Integer> received(final Received[] received)
    {
        final List<Integer> counts = new ArrayList<>();
        for (final Received r : received)
        {
            counts.add(r.lengths.size());
            r.clear();
        }
        return counts;
    }

    static final class Received implements FrameHandler
    {
        final List<Integer> lengths = new ArrayList<>();
        final List<Integer> gso = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();

        @Override
        public void onFrame(
            final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            lengths.add(length);
            gso.add(metadata.gsoSize());
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            frames.add(bytes);
        }

        void clear()
        {
            lengths.clear();
            gso.clear();
            frames.clear();
        }
    }
}

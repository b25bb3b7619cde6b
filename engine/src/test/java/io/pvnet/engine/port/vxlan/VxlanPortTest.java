package io.pvnet.engine.port.vxlan;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two VXLAN ports joined over loopback, and hostile datagrams sent to one. */
@Timeout(30)
class VxlanPortTest
{
    private final List<byte[]> receivedByB = new ArrayList<>();

    @Test
    void shouldCarryFramesBothWaysAndDropForeignOrBrokenDatagrams() throws Exception
    {
        try (Pair pair = Pair.overLoopback(4242))
        {
            final List<byte[]> receivedByA = new ArrayList<>();
            pair.a.ingress((buffer, offset, length, metadata) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                receivedByA.add(bytes);
                return 0;
            });
            pair.b.ingress((buffer, offset, length, metadata) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                receivedByB.add(bytes);
                return 0;
            });
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[2000]);
            final List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 50; i++)
            {
                final int length = TestFrames.udp4(frame, 0, 1000 + i, 7, 10 * i, false);
                final byte[] copy = new byte[length];
                frame.getBytes(0, copy);
                sent.add(copy);
                assertEquals(0, pair.a.onFrame(frame, 0, length, FrameMetadata.of(0, 0, 0)));
            }
            pair.driveUntil(() -> receivedByB.size() == 50);
            for (int i = 0; i < 50; i++)
            {
                assertArrayEquals(sent.get(i), receivedByB.get(i));
            }
            final int length = TestFrames.raw(frame, 0, TestFrames.MAC_A, TestFrames.MAC_B, -1, 1400);
            assertEquals(0, pair.b.onFrame(frame, 0, length, FrameMetadata.of(0, 0, 0)));
            pair.driveUntil(() -> receivedByA.size() == 1);
            assertEquals(1400, receivedByA.get(0).length);

            assertEquals(PortDropReason.OFFLOAD_UNSUPPORTED,
                pair.a.onFrame(frame, 0, length, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0)),
                    "the bridge completes sums first");

            try (DatagramSocket socket = new DatagramSocket())
            {
                final byte[] foreign = new byte[8 + 60];
                foreign[0] = 0x08;
                foreign[6] = 7;
                final byte[] noFlag = new byte[8 + 60];
                noFlag[4] = 0x10;
                noFlag[5] = (byte)0x92;
                noFlag[6] = 0x00;
                final byte[] tooShort = {0x08, 0, 0, 0, 0, 0x10, (byte)0x92, 0};
                for (final byte[] datagram : List.of(foreign, noFlag, tooShort))
                {
                    socket.send(new DatagramPacket(datagram, datagram.length, pair.b.localAddress()));
                }
            }
            pair.driveUntil(() -> pair.b.wrongVniCount() == 1 && pair.b.malformedCount() == 2);
            assertEquals(50, receivedByB.size());
            assertEquals(1, pair.b.counters().rxDrops(PortDropReason.WRONG_VNI));
            assertEquals(2, pair.b.counters().rxDrops(PortDropReason.MALFORMED));
            assertEquals(50, pair.a.counters().get(PortCounters.TX_FRAMES));
            assertEquals(50, pair.b.counters().get(PortCounters.RX_FRAMES));
        }
    }

    @Test
    void shouldSendRunsOfEqualSegmentsAsOneUdpGsoBatchOnEpoll() throws Exception
    {
        try (Pair pair = Pair.overLoopback(7))
        {
            org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.channel.epoll.Epoll.isAvailable(),
                "epoll native library unavailable: " + io.netty.channel.epoll.Epoll.unavailabilityCause());
            assertTrue(pair.a.usesEpoll(), "epoll transport");
            final List<byte[]> receivedByB = new ArrayList<>();
            pair.b.ingress((buffer, offset, length, metadata) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                receivedByB.add(bytes);
                return 0;
            });
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[2000]);
            final List<byte[]> sent = new ArrayList<>();
            // what the bridge hands over for a split TSO frame: equal segments, a shorter last one, then the next frame
            for (int i = 0; i < 100; i++)
            {
                final int length = TestFrames.udp4(frame, 0, 2000 + i, 7, i == 99 ? 300 : 1400, false);
                final byte[] copy = new byte[length];
                frame.getBytes(0, copy);
                sent.add(copy);
                assertEquals(0, pair.a.onFrame(frame, 0, length, FrameMetadata.of(0, 0, 0)));
            }
            pair.driveUntil(() -> receivedByB.size() == 100);
            for (int i = 0; i < 100; i++)
            {
                assertArrayEquals(sent.get(i), receivedByB.get(i), "datagram " + i);
            }
            assertTrue(pair.a.gsoBatches() >= 2, "100 datagrams in batches of at most 64: " + pair.a.gsoBatches());
            assertEquals(100, pair.b.counters().get(PortCounters.RX_FRAMES));
        }
    }

    @Test
    void shouldRefuseBadConfiguration()
    {
        final InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new VxlanConfig(any, any, 1 << 24, 1450));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new VxlanConfig(any, any, 1, 20));
    }

    static int freePort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /** Two ports driven by the test thread. */
    static final class Pair implements AutoCloseable
    {
        final VxlanPort a;
        final VxlanPort b;

        /** Two ports on loopback, each sending to the other, for VNI {@code vni}. */
        static Pair overLoopback(final int vni) throws Exception
        {
            final InetAddress loopback = InetAddress.getLoopbackAddress();
            final int portA = freePort();
            final int portB = freePort();
            return new Pair(
                new VxlanPort(new VxlanConfig(new InetSocketAddress(loopback, portA),
                    new InetSocketAddress(loopback, portB), vni, 1450)),
                new VxlanPort(new VxlanConfig(new InetSocketAddress(loopback, portB),
                    new InetSocketAddress(loopback, portA), vni, 1450)));
        }

        Pair(final VxlanPort a, final VxlanPort b)
        {
            this.a = a;
            this.b = b;
            a.onStart();
            b.onStart();
        }

        void driveUntil(final BooleanSupplier condition)
        {
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (!condition.getAsBoolean())
            {
                assertTrue(System.nanoTime() < deadline, "timed out");
                a.doWork();
                b.doWork();
                Thread.onSpinWait();
            }
        }

        @Override
        public void close()
        {
            a.onClose();
            b.onClose();
        }
    }
}

package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.frame.FrameMetadata;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StreamSource}'s pacing as its owner's idle strategy sees it: when the next datagram is due, so a guest thread
 * with nothing else to do sleeps exactly until then (and without limit when no stream runs).
 */
class StreamSourceTest
{
    private static final int GUEST_IP = 0x0A09_0001;
    private static final int PEER_IP = 0x0A09_0002;
    private static final long GUEST_MAC = 0x00163E000100L;
    private static final long PEER_MAC = 0x00163E000200L;

    private long nowNs = 1_000_000_000L;
    private int sent;
    private final GuestStack stack = new GuestStack(GUEST_MAC, GUEST_IP, 24, null, 1500, (b, o, l, m) -> 0);
    private final StreamSource source = new StreamSource(stack, (b, o, l, m) ->
    {
        sent++;
        return 0;
    }, () -> nowNs);

    @Test
    void shouldBeDueNeverWithoutAStream()
    {
        assertEquals(Long.MAX_VALUE, source.nanosToNextDue(nowNs));
    }

    @Test
    void shouldBeDueAtEachDatagramOfAPacedStreamAndNeverAfterItsLast()
    {
        request(3, 100); // 3 datagrams, 10 ms apart
        assertTrue(source.nanosToNextDue(nowNs) <= 0, "the first datagram is due at once");
        assertEquals(1, source.doWork());
        assertEquals(10_000_000L, source.nanosToNextDue(nowNs), "the next one in 10 ms");
        nowNs += 4_000_000L;
        assertEquals(0, source.doWork(), "nothing before it is due");
        assertEquals(6_000_000L, source.nanosToNextDue(nowNs));
        nowNs += 6_000_000L;
        assertTrue(source.nanosToNextDue(nowNs) <= 0);
        assertEquals(1, source.doWork());
        nowNs += 10_000_000L;
        assertEquals(1, source.doWork());
        assertEquals(3, sent);
        assertEquals(0, source.activeStreams(), "stopped with its last datagram");
        assertEquals(Long.MAX_VALUE, source.nanosToNextDue(nowNs), "no stream: sleep until a frame");
    }

    @Test
    void shouldBeDueAtOnceForAnUnpacedStream()
    {
        request(1000, 0);
        source.doWork();
        assertTrue(source.nanosToNextDue(nowNs) <= 0, "flat out: always due");
    }

    private void request(final long count, final long rate)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        final FrameBuilder builder = new FrameBuilder();
        builder.wrap(frame, 0).ethernet(GUEST_MAC, PEER_MAC).ipv4(PEER_IP, GUEST_IP).udp(40_000, StreamSource.PORT);
        final int payload = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;
        final int length = StreamRequestDescriptor.write(frame, payload, StreamRequestDescriptor.START, count,
            60_000_000_000L, rate, new int[] {100});
        source.onFrame(frame, 0, builder.payloadLength(length).build(), new FrameMetadata());
        assertEquals(1, source.activeStreams(), "stream started");
    }
}

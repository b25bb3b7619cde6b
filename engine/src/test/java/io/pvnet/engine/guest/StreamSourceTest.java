package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.frame.FrameMetadata;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StreamSource}'s pacing as its owner's idle strategy sees it: when the next datagram is due, so a guest thread
 * with nothing else to do sleeps exactly until then (and without limit when no stream runs); and what it sends of an
 * unpaced stream (which keeps no credit) against the same stream paced.
 */
class StreamSourceTest
{
    private static final int GUEST_IP = 0x0A09_0001;
    private static final int PEER_IP = 0x0A09_0002;
    private static final long GUEST_MAC = 0x00163E000100L;
    private static final long PEER_MAC = 0x00163E000200L;
    private static final int PAYLOAD = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;

    private long nowNs = 1_000_000_000L;
    private int sent;
    /** The sequence each datagram sent carried, in order. */
    private final List<Integer> sequences = new ArrayList<>();
    private final GuestStack stack = new GuestStack(GUEST_MAC, GUEST_IP, 24, null, 1500, (b, o, l, m) -> 0);
    private final StreamSource source = new StreamSource(stack, (b, o, l, m) ->
    {
        sent++;
        sequences.add(GenPayloadDescriptor.sequence(b, o + PAYLOAD));
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

    @Test
    void shouldNumberAndCountAnUnpacedStreamAsAPacedOneThatIsNeverShortOfCredit()
    {
        request(1000, 0);
        for (int cycle = 0; cycle < 100 && source.activeStreams() > 0; cycle++)
        {
            source.doWork();
        }
        final List<Integer> unpaced = List.copyOf(sequences);
        assertEquals(0, source.activeStreams(), "stopped at its count");
        assertEquals(1000, source.sentFrames());
        sequences.clear();
        // the same stream paced by a window of 64, every datagram reported as it went
        request(40_001, 1000, 0, 64, 4242);
        for (int cycle = 0; cycle < 200 && source.activeStreams() > 0; cycle++)
        {
            source.doWork();
            report(4242, sequences.size());
        }
        assertEquals(0, source.activeStreams(), "stopped at its count");
        assertEquals(2000, source.sentFrames());
        assertEquals(unpaced, sequences, "the same datagrams, numbered alike");
        for (int i = 0; i < unpaced.size(); i++)
        {
            assertEquals(i, unpaced.get(i), "numbered from 0 in order");
        }
        assertEquals(1000, unpaced.size());
    }

    /** The requester (port 40001) reports every datagram up to {@code expected} received. */
    private void report(final int nonce, final long expected)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        final FrameBuilder builder = new FrameBuilder();
        builder.wrap(frame, 0).ethernet(GUEST_MAC, PEER_MAC).ipv4(PEER_IP, GUEST_IP).udp(40_001, StreamSource.PORT);
        final int length = StreamControlDescriptor.write(frame, PAYLOAD, StreamControlDescriptor.REPORT, 0, nonce, 0,
            expected, expected * 100, expected, 0, 0);
        source.onFrame(frame, 0, builder.payloadLength(length).build(), new FrameMetadata());
    }

    private void request(final long count, final long rate)
    {
        request(40_000, count, rate, 0, 0);
    }

    /** From {@code port}: stream {@code count} datagrams at {@code rate}, paced by a {@code window} (0: none). */
    private void request(final int port, final long count, final long rate, final int window, final int nonce)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        final FrameBuilder builder = new FrameBuilder();
        builder.wrap(frame, 0).ethernet(GUEST_MAC, PEER_MAC).ipv4(PEER_IP, GUEST_IP).udp(port, StreamSource.PORT);
        final int length = StreamRequestDescriptor.write(frame, PAYLOAD, StreamRequestDescriptor.START, count,
            60_000_000_000L, rate, new int[] {100}, window, nonce);
        source.onFrame(frame, 0, builder.payloadLength(length).build(), new FrameMetadata());
        assertEquals(1, source.activeStreams(), "stream started");
    }
}

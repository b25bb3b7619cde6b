package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.testsupport.TestFrames.Sum;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static io.pvnet.testsupport.TestFrames.frame;
import static io.pvnet.testsupport.TestFrames.getInt;
import static io.pvnet.testsupport.TestFrames.getShort;
import static io.pvnet.testsupport.TestFrames.hex;
import static io.pvnet.checksum.offload.OffloadTestSupport.bytes;
import static io.pvnet.checksum.offload.OffloadTestSupport.offHeap;
import static io.pvnet.checksum.offload.OffloadTestSupport.parsed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TSO and USO output checked field by field against an independent model of Linux {@code tcp_gso_segment} /
 * {@code inet_gso_segment} / {@code ipv6_gso_segment} / {@code __udp_gso_segment} written here on byte arrays.
 */
class GsoSegmenterTest
{
    private static final int CWR = 0x80;
    private static final int FIN = 0x01;
    private static final int PSH = 0x08;

    private final GsoSegmenter segmenter = new GsoSegmenter(Checksums.best());
    private final OutputFrames frames = new OutputFrames(1024);
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));

    private byte[][] split(final byte[] input, final int segmentSize)
    {
        final UnsafeBuffer src = offHeap(input, 3);
        final PacketHeaders headers = parsed(src, 3, input.length);
        assertEquals(OffloadStatus.SPLIT, segmenter.segment(src, headers, segmentSize, out, 7, out.capacity(), frames));
        final byte[][] result = new byte[frames.count()][];
        for (int i = 0; i < frames.count(); i++)
        {
            result[i] = bytes(out, frames.offset(i), frames.length(i));
        }
        return result;
    }

    /** The model: what each Linux GSO segment must hold, checked one field at a time. */
    private static void assertSegments(
        final byte[] input, final byte[][] segments, final int l3, final boolean v6, final int ipHeaderLength,
        final int protocol, final int segmentSize)
    {
        final int l4 = l3 + ipHeaderLength;
        final int l4HeaderLength = protocol == TestFrames.TCP ? ((input[l4 + 12] & 0xF0) >>> 2) : 8;
        final int payloadStart = l4 + l4HeaderLength;
        final int payload = input.length - payloadStart;
        final int expectedCount = Math.max(1, (payload + segmentSize - 1) / segmentSize);
        assertEquals(expectedCount, segments.length, "segment count");
        final ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < segments.length; i++)
        {
            final byte[] s = segments[i];
            final String at = "segment " + i + ": ";
            final boolean last = i == segments.length - 1;
            final int segmentPayload = last ? payload - i * segmentSize : segmentSize;
            assertEquals(payloadStart + segmentPayload, s.length, at + "length");
            assertArrayEquals(Arrays.copyOf(input, l3), Arrays.copyOf(s, l3), at + "L2 and VLAN tags copied");
            if (!v6)
            {
                assertEquals(input[l3], s[l3], at + "version/IHL");
                assertEquals(input[l3 + 1], s[l3 + 1], at + "TOS");
                assertEquals(ipHeaderLength + l4HeaderLength + segmentPayload, getShort(s, l3 + 2), at + "total length");
                assertEquals((getShort(input, l3 + 4) + i) & 0xFFFF, getShort(s, l3 + 4), at + "IP ID + i");
                assertEquals(getShort(input, l3 + 6), getShort(s, l3 + 6), at + "flags and fragment offset");
                assertArrayEquals(Arrays.copyOfRange(input, l3 + 8, l3 + 10), Arrays.copyOfRange(s, l3 + 8, l3 + 10));
                assertArrayEquals(Arrays.copyOfRange(input, l3 + 12, l4), Arrays.copyOfRange(s, l3 + 12, l4),
                    at + "addresses and options");
                assertEquals(0, TestFrames.checksum(s, l3, ipHeaderLength, 0), at + "IPv4 header checksum");
            }
            else
            {
                assertArrayEquals(Arrays.copyOf(Arrays.copyOfRange(input, l3, l4), 4),
                    Arrays.copyOf(Arrays.copyOfRange(s, l3, l4), 4), at + "version/class/flow");
                assertEquals(ipHeaderLength - 40 + l4HeaderLength + segmentPayload, getShort(s, l3 + 4),
                    at + "payload length");
                assertArrayEquals(Arrays.copyOfRange(input, l3 + 6, l4), Arrays.copyOfRange(s, l3 + 6, l4),
                    at + "next header, hop limit, addresses, extension headers");
            }
            assertArrayEquals(Arrays.copyOfRange(input, l4, l4 + 4), Arrays.copyOfRange(s, l4, l4 + 4), at + "ports");
            if (protocol == TestFrames.TCP)
            {
                assertEquals(getInt(input, l4 + 4) + i * segmentSize, getInt(s, l4 + 4), at + "sequence");
                assertEquals(getInt(input, l4 + 8), getInt(s, l4 + 8), at + "ack");
                assertEquals(input[l4 + 12], s[l4 + 12], at + "data offset");
                int flags = input[l4 + 13] & 0xFF;
                if (!last)
                {
                    flags &= ~(FIN | PSH);
                }
                if (i > 0)
                {
                    flags &= ~CWR;
                }
                assertEquals(flags, s[l4 + 13] & 0xFF, at + "flags");
                assertEquals(getShort(input, l4 + 14), getShort(s, l4 + 14), at + "window");
                assertEquals(getShort(input, l4 + 18), getShort(s, l4 + 18), at + "urgent pointer");
                assertArrayEquals(Arrays.copyOfRange(input, l4 + 20, payloadStart),
                    Arrays.copyOfRange(s, l4 + 20, payloadStart), at + "options");
            }
            else
            {
                assertEquals(8 + segmentPayload, getShort(s, l4 + 4), at + "UDP length");
                assertTrue(getShort(s, l4 + 6) != 0, at + "UDP checksum present");
            }
            final int pseudo = pseudoSum(s, l3, v6, protocol, s.length - l4);
            assertEquals(0, TestFrames.checksum(s, l4, s.length - l4, pseudo), at + "L4 checksum");
            joined.write(s, payloadStart, segmentPayload);
        }
        assertArrayEquals(Arrays.copyOfRange(input, payloadStart, input.length), joined.toByteArray(), "payload");
    }

    private static int pseudoSum(final byte[] s, final int l3, final boolean v6, final int protocol, final int length)
    {
        final byte[] p = new byte[v6 ? 40 : 12];
        if (v6)
        {
            System.arraycopy(s, l3 + 8, p, 0, 32);
            TestFrames.setShort(p, 34, length);
            p[39] = (byte)protocol;
        }
        else
        {
            System.arraycopy(s, l3 + 12, p, 0, 8);
            p[9] = (byte)protocol;
            TestFrames.setShort(p, 10, length);
        }
        return ~TestFrames.checksum(p, 0, p.length, 0) & 0xFFFF;
    }

    @Test
    void shouldSplitA64KiBTcpIpv4SegmentLikeLinux()
    {
        // sequence and IP ID wrap; CWR, PSH and FIN set; timestamps option; blank sums as a guest sends them
        final byte[] input = frame().ipId(0xFFF0).sequence(0xFFFFF000).tcpFlags(CWR | 0x10 | PSH | FIN)
            .tcpOptions(hex("0101080a0000000100000002")).payload(65535 - 20 - 32, 1)
            .ipSum(Sum.ZERO).l4Sum(Sum.PSEUDO_ONLY).build();
        final byte[][] segments = split(input, 1448);
        assertEquals(46, segments.length);
        assertSegments(input, segments, 14, false, 20, TestFrames.TCP, 1448);
    }

    @Test
    void shouldSplitTcpIpv4BehindAVlanTagWithIpOptions()
    {
        final byte[] input = frame().vlan(0x8100, 7).ipv4Options(hex("94040000")).tcpFlags(0x10 | PSH)
            .payload(10_000, 2).ipSum(Sum.ZERO).l4Sum(Sum.ZERO).build();
        assertSegments(input, split(input, 1000), 18, false, 24, TestFrames.TCP, 1000);
    }

    @Test
    void shouldSplitTcpIpv6WithAndWithoutVlanAndExtensionHeaders()
    {
        final byte[] plain = frame().ipv6().tcpFlags(CWR | 0x10 | FIN).payload(30_001, 3).l4Sum(Sum.PSEUDO_ONLY).build();
        assertSegments(plain, split(plain, 1428), 14, true, 40, TestFrames.TCP, 1428);
        final byte[] tagged = frame().vlan(0x8100, 9).ipv6().ipv6Extension(60, hex("00010400000000"))
            .payload(9_999, 4).l4Sum(Sum.PSEUDO_ONLY).build();
        assertSegments(tagged, split(tagged, 1420), 18, true, 48, TestFrames.TCP, 1420);
    }

    @Test
    void shouldLeaveAPayloadThatFitsAsOneCompletedFrame()
    {
        final TestFrames builder = frame().tcpFlags(CWR | PSH | FIN | 0x10).payload(1448, 5);
        final byte[] expected = builder.build();
        final byte[] blank = builder.ipSum(Sum.ZERO).l4Sum(Sum.PSEUDO_ONLY).build();
        final byte[][] segments = split(blank, 1448);
        assertEquals(1, segments.length);
        assertArrayEquals(expected, segments[0]);
    }

    @Test
    void shouldSegmentUdpLikeUdpSegmentForIpv4AndIpv6()
    {
        final byte[] v4 = frame().protocol(TestFrames.UDP).ipId(7).payload(20_000, 6).l4Sum(Sum.PSEUDO_ONLY).build();
        assertSegments(v4, split(v4, 1472), 14, false, 20, TestFrames.UDP, 1472);
        final byte[] v6 = frame().vlan(0x8100, 3).ipv6().protocol(TestFrames.UDP).payload(20_000, 7).build();
        assertSegments(v6, split(v6, 1452), 18, true, 40, TestFrames.UDP, 1452);
    }

    @Test
    void shouldSplitRandomShapesExactlyAndWriteNothingPastTheLastFrame()
    {
        // payloads and segment sizes that leave last segments shorter than a vector, UDP's short headers, VLAN tags,
        // options and IPv6, checked against the model, with nothing written after the last frame
        final java.util.SplittableRandom random = new java.util.SplittableRandom(2026);
        for (int round = 0; round < 400; round++)
        {
            final boolean tcp = random.nextBoolean();
            final boolean v6 = random.nextInt(3) == 0;
            final int segmentSize = 1 + random.nextInt(random.nextBoolean() ? 200 : 2000);
            final int payload = random.nextInt(Math.min(60_000, segmentSize * 180));
            TestFrames builder = frame().protocol(tcp ? TestFrames.TCP : TestFrames.UDP).payload(payload, round);
            if (random.nextBoolean())
            {
                builder = builder.vlan(0x8100, round & 0xFFF);
            }
            if (v6)
            {
                builder = builder.ipv6();
            }
            else if (random.nextInt(4) == 0)
            {
                builder = builder.ipv4Options(hex("94040000"));
            }
            final byte[] input = builder.build();
            final UnsafeBuffer src = offHeap(input, 0);
            final PacketHeaders headers = parsed(src, 0, input.length);
            out.setMemory(0, out.capacity(), (byte)0x5A);
            final int outOffset = random.nextInt(64);
            assertEquals(OffloadStatus.SPLIT,
                segmenter.segment(src, headers, segmentSize, out, outOffset, out.capacity(), frames), "round " + round);
            final int last = frames.count() - 1;
            final int end = frames.offset(last) + frames.length(last);
            for (int i = end; i < end + 64; i++)
            {
                assertEquals((byte)0x5A, out.getByte(i), "round " + round + ": byte " + (i - end) + " past the end");
            }
            final byte[][] segments = new byte[frames.count()][];
            for (int i = 0; i < frames.count(); i++)
            {
                segments[i] = bytes(out, frames.offset(i), frames.length(i));
            }
            assertSegments(input, segments, headers.l3Offset(), v6, headers.ipHeaderLength(),
                tcp ? TestFrames.TCP : TestFrames.UDP, segmentSize);
        }
    }

    @Test
    void shouldWriteTheSameBytesIntoHeapBuffers()
    {
        final byte[] input = frame().vlan(0x8100, 4).tcpFlags(0x80 | 0x10 | 0x01).payload(12_345, 11)
            .l4Sum(Sum.PSEUDO_ONLY).build();
        final byte[][] offHeap = split(input, 1000);
        final byte[] backing = new byte[input.length + 9];
        System.arraycopy(input, 0, backing, 9, input.length);
        final UnsafeBuffer src = new UnsafeBuffer(backing, 4, backing.length - 4);
        final PacketHeaders headers = parsed(src, 5, input.length);
        final UnsafeBuffer heapOut = new UnsafeBuffer(new byte[1 << 16], 3, (1 << 16) - 3);
        assertEquals(OffloadStatus.SPLIT, segmenter.segment(src, headers, 1000, heapOut, 1, heapOut.capacity(), frames));
        assertEquals(offHeap.length, frames.count());
        for (int i = 0; i < frames.count(); i++)
        {
            final byte[] segment = new byte[frames.length(i)];
            heapOut.getBytes(frames.offset(i), segment);
            assertArrayEquals(offHeap[i], segment, "segment " + i);
        }
    }

    @Test
    void shouldRefuseWhatItCannotSplit()
    {
        final byte[] input = frame().payload(5000, 8).build();
        final UnsafeBuffer src = offHeap(input, 0);
        final PacketHeaders headers = parsed(src, 0, input.length);
        assertEquals(OffloadStatus.MSS_TOO_SMALL, segmenter.segment(src, headers, 0, out, 0, out.capacity(), frames));
        assertEquals(OffloadStatus.TOO_MANY_SEGMENTS,
            segmenter.segment(src, headers, 4, out, 0, out.capacity(), frames));
        assertEquals(OffloadStatus.OUTPUT_TOO_SMALL, segmenter.segment(src, headers, 1000, out, 0, 5000, frames));
        assertEquals(0, frames.count());
        final byte[] icmp = frame().protocol(TestFrames.ICMP).payload(5000, 9).build();
        final UnsafeBuffer icmpBuffer = offHeap(icmp, 0);
        assertEquals(OffloadStatus.NOT_SPLITTABLE, segmenter.segment(
            icmpBuffer, parsed(icmpBuffer, 0, icmp.length), 1000, out, 0, out.capacity(), frames));
    }

    @Test
    void shouldNotAllocateInTheSteadyState()
    {
        final byte[] input = frame().payload(65535 - 40, 10).l4Sum(Sum.PSEUDO_ONLY).build();
        final UnsafeBuffer src = offHeap(input, 0);
        final PacketHeaders headers = parsed(src, 0, input.length);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        // until C2 has compiled the vector code its values are boxed: warm up until a round allocates nothing (other
        // tests may have just sent a kernel back to C1 with lengths it had not seen: recompiling can take seconds)
        long allocated = Long.MAX_VALUE;
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (allocated >= 2000 && System.nanoTime() < deadline)
        {
            for (int i = 0; i < 2000; i++)
            {
                segmenter.segment(src, headers, 1448, out, 0, out.capacity(), frames);
            }
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 2000; i++)
            {
                segmenter.segment(src, headers, 1448, out, 0, out.capacity(), frames);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertTrue(allocated < 2000, "allocated " + allocated + " bytes in 2000 TSO calls");
    }
}

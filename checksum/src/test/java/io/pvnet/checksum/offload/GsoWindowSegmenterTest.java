package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.testsupport.TestFrames.Sum;
import io.pvnet.testsupport.TestFrames;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.pvnet.testsupport.TestFrames.frame;
import static io.pvnet.testsupport.TestFrames.hex;
import static io.pvnet.checksum.offload.OffloadTestSupport.bytes;
import static io.pvnet.checksum.offload.OffloadTestSupport.offHeap;
import static io.pvnet.checksum.offload.OffloadTestSupport.parsed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GsoWindowSegmenter} against the reference {@link GsoSegmenter} (itself checked field by field against a model
 * of Linux GSO in {@link GsoSegmenterTest}): the same frames, byte for byte, each in its own window, and nothing
 * written outside a window.
 */
class GsoWindowSegmenterTest
{
    private static final int PAGE = 4096;
    private static final byte GUARD = (byte)0xA5;

    private final GsoSegmenter reference = new GsoSegmenter(Checksums.best());
    private final GsoWindowSegmenter segmenter = new GsoWindowSegmenter(Checksums.best());
    private final OutputFrames frames = new OutputFrames(1024);
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));
    private final Pages pages = new Pages();

    /** One page per segment in a guarded area, each window at a different offset inside its page. */
    private static final class Pages implements SegmentWindows
    {
        final UnsafeBuffer area = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * PAGE));
        final UnsafeBuffer window = new UnsafeBuffer(new byte[0]);
        final List<byte[]> written = new ArrayList<>();
        final List<Integer> opened = new ArrayList<>();
        final List<Integer> closedUnwritten = new ArrayList<>();
        int skip = -1;

        void reset()
        {
            area.setMemory(0, area.capacity(), GUARD);
            written.clear();
            opened.clear();
            closedUnwritten.clear();
        }

        static int offsetInPage(final int index)
        {
            return (index * 40) % 200;
        }

        @Override
        public MutableDirectBuffer open(final int index, final int length)
        {
            opened.add(index);
            if (index == skip)
            {
                return null;
            }
            window.wrap(area, index * PAGE + offsetInPage(index), length);
            return window;
        }

        @Override
        public void close(final int index, final int length, final boolean written)
        {
            if (written)
            {
                this.written.add(bytes(area, index * PAGE + offsetInPage(index), length));
            }
            else
            {
                closedUnwritten.add(index);
            }
        }

        void assertNothingOutsideWindows(final int[] lengths)
        {
            for (int page = 0; page < area.capacity() / PAGE; page++)
            {
                final int start = page < lengths.length ? offsetInPage(page) : PAGE;
                final int end = page < lengths.length && page != skip ? start + lengths[page] : start;
                for (int i = 0; i < PAGE; i++)
                {
                    if (i < start || i >= end)
                    {
                        assertEquals(GUARD, area.getByte(page * PAGE + i), "page " + page + " byte " + i);
                    }
                }
            }
        }
    }

    private void assertSameAsReference(final byte[] input, final int segmentSize)
    {
        final UnsafeBuffer src = offHeap(input, 5);
        final PacketHeaders headers = parsed(src, 5, input.length);
        assertEquals(OffloadStatus.SPLIT,
            reference.segment(src, headers, segmentSize, out, 0, out.capacity(), frames));
        pages.reset();
        assertEquals(OffloadStatus.SPLIT, segmenter.segment(src, headers, segmentSize, 64, pages));
        assertEquals(frames.count(), segmenter.segmentCount());
        final int[] lengths = new int[frames.count()];
        int written = 0;
        for (int i = 0; i < frames.count(); i++)
        {
            lengths[i] = frames.length(i);
            assertEquals(i, pages.opened.get(i));
            if (i == pages.skip)
            {
                continue;
            }
            assertArrayEquals(bytes(out, frames.offset(i), frames.length(i)), pages.written.get(written++),
                "segment " + i);
        }
        assertEquals(frames.count(), pages.opened.size());
        pages.assertNothingOutsideWindows(lengths);
    }

    @Test
    void shouldWriteWhatTheContiguousSegmenterWritesForTcpAndUdpOverIpv4AndIpv6()
    {
        assertSameAsReference(frame().ipId(0xFFF0).sequence(0xFFFFF000).tcpFlags(0x80 | 0x10 | 0x08 | 0x01)
            .tcpOptions(hex("0101080a0000000100000002")).payload(65535 - 20 - 32 - 14, 1)
            .ipSum(Sum.ZERO).l4Sum(Sum.PSEUDO_ONLY).build(), 1448);
        assertSameAsReference(frame().vlan(0x8100, 7).ipv4Options(hex("94040000")).tcpFlags(0x10 | 0x08)
            .payload(10_000, 2).ipSum(Sum.ZERO).l4Sum(Sum.ZERO).build(), 1000);
        assertSameAsReference(frame().vlan(0x8100, 9).ipv6().ipv6Extension(60, hex("00010400000000"))
            .payload(9_999, 4).l4Sum(Sum.PSEUDO_ONLY).build(), 1420);
        assertSameAsReference(frame().protocol(TestFrames.UDP).ipId(7).payload(20_000, 6).l4Sum(Sum.PSEUDO_ONLY)
            .build(), 1472);
        assertSameAsReference(frame().vlan(0x8100, 3).ipv6().protocol(TestFrames.UDP).payload(20_000, 7).build(), 1452);
        assertSameAsReference(frame().tcpFlags(0x10).payload(1000, 8).build(), 1448);
    }

    @Test
    void shouldMatchTheContiguousSegmenterOnRandomFrames()
    {
        final SplittableRandom random = new SplittableRandom(0x5E6);
        for (int round = 0; round < 300; round++)
        {
            TestFrames builder = frame();
            if (random.nextBoolean())
            {
                builder = builder.vlan(0x8100, random.nextInt(4096));
            }
            if (random.nextBoolean())
            {
                builder = builder.ipv6();
            }
            if (random.nextInt(3) == 0)
            {
                builder = builder.protocol(TestFrames.UDP);
            }
            else
            {
                builder = builder.sequence(random.nextInt()).tcpFlags(random.nextInt(256));
            }
            final int segmentSize = 1 + random.nextInt(3000);
            final int payload = random.nextInt(Math.min(60_000, segmentSize * 60));
            assertSameAsReference(builder.ipId(random.nextInt(65536)).payload(payload, round)
                .l4Sum(random.nextBoolean() ? Sum.PSEUDO_ONLY : Sum.ZERO).build(), segmentSize);
        }
    }

    @Test
    void shouldSkipASegmentWhoseWindowDoesNotOpenAndTellTheWindows()
    {
        pages.skip = 2;
        try
        {
            assertSameAsReference(frame().payload(8000, 9).l4Sum(Sum.PSEUDO_ONLY).build(), 1448);
            assertEquals(List.of(2), pages.closedUnwritten);
        }
        finally
        {
            pages.skip = -1;
        }
    }

    @Test
    void shouldOpenNoWindowForWhatItRefuses()
    {
        final byte[] input = frame().payload(5000, 10).build();
        final UnsafeBuffer src = offHeap(input, 0);
        final PacketHeaders headers = parsed(src, 0, input.length);
        pages.reset();
        assertEquals(OffloadStatus.TOO_MANY_SEGMENTS, segmenter.segment(src, headers, 1000, 4, pages));
        assertEquals(OffloadStatus.MSS_TOO_SMALL, segmenter.segment(src, headers, 0, 64, pages));
        final byte[] icmp = frame().protocol(TestFrames.ICMP).payload(5000, 11).build();
        final UnsafeBuffer icmpBuffer = offHeap(icmp, 0);
        assertEquals(OffloadStatus.NOT_SPLITTABLE,
            segmenter.segment(icmpBuffer, parsed(icmpBuffer, 0, icmp.length), 1000, 64, pages));
        assertTrue(pages.opened.isEmpty());
        assertEquals(0, segmenter.segmentCount());
    }
}

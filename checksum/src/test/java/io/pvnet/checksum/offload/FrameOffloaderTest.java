package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.parse.ParseStatus;
import io.pvnet.testsupport.TestFrames.Sum;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static io.pvnet.testsupport.TestFrames.frame;
import static io.pvnet.testsupport.TestFrames.getShort;
import static io.pvnet.checksum.offload.OffloadTestSupport.bytes;
import static io.pvnet.checksum.offload.OffloadTestSupport.offHeap;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrameOffloaderTest
{
    private final OutputFrames frames = new OutputFrames(256);
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));

    private OffloadStatus process(final FrameOffloader offloader, final byte[] input)
    {
        final UnsafeBuffer src = offHeap(input, 0);
        final OffloadStatus status = offloader.process(src, 0, input.length, out, 0, out.capacity(), frames);
        assertArrayEquals(input, bytes(src, 0, input.length), "the input is never modified");
        return status;
    }

    @Test
    void shouldCompleteFramesWithinTheMtu()
    {
        final FrameOffloader offloader = new FrameOffloader(Checksums.best(), 1500, 0, UdpOversizeMode.FRAGMENT);
        final TestFrames builder = frame().payload(1460, 1);
        final byte[] expected = builder.build();
        assertEquals(OffloadStatus.COMPLETED, process(offloader, builder.ipSum(Sum.ZERO).l4Sum(Sum.PSEUDO_ONLY).build()));
        assertEquals(1, frames.count());
        assertArrayEquals(expected, bytes(out, frames.offset(0), frames.length(0)));
    }

    @Test
    void shouldDeriveTheMssFromTheMtuOrTakeTheGivenOne()
    {
        final byte[] input = frame().tcpOptions(TestFrames.hex("0101080a0000000100000002")).payload(10_000, 2).build();
        assertEquals(OffloadStatus.SPLIT,
            process(new FrameOffloader(Checksums.best(), 1500, 0, UdpOversizeMode.FRAGMENT), input));
        assertEquals(7, frames.count(), "MSS 1500 - 20 - 32 = 1448");
        assertEquals(14 + 1500, frames.length(0));
        assertEquals(OffloadStatus.SPLIT,
            process(new FrameOffloader(Checksums.best(), 1500, 1000, UdpOversizeMode.FRAGMENT), input));
        assertEquals(10, frames.count());
    }

    @Test
    void shouldFragmentOrSegmentOversizeUdp()
    {
        final byte[] input = frame().protocol(TestFrames.UDP).dontFragment(false).payload(4000, 3)
            .l4Sum(Sum.PSEUDO_ONLY).build();
        assertEquals(OffloadStatus.SPLIT,
            process(new FrameOffloader(Checksums.best(), 1500, 0, UdpOversizeMode.FRAGMENT), input));
        assertEquals(3, frames.count());
        assertEquals(0x2000, getShort(bytes(out, frames.offset(0), 34), 20), "first fragment: MF, offset 0");
        assertEquals(OffloadStatus.SPLIT,
            process(new FrameOffloader(Checksums.best(), 1500, 0, UdpOversizeMode.SEGMENT), input));
        assertEquals(3, frames.count());
        assertEquals(1480, getShort(bytes(out, frames.offset(0), 42), 38), "first datagram: UDP length 8 + 1472");
    }

    @Test
    void shouldPassThroughWhatItCannotHandleUnchanged()
    {
        final FrameOffloader offloader = new FrameOffloader(Checksums.best(), 1500, 0, UdpOversizeMode.FRAGMENT);
        final byte[] malformed = frame().payload(100, 4).build();
        malformed[14] = 0x46; // IHL 6 with no options: the TCP header is read from the wrong place, ...
        TestFrames.setShort(malformed, 16, 10); // ... and the total length is below the header length
        assertEquals(OffloadStatus.MALFORMED, process(offloader, malformed));
        assertEquals(ParseStatus.IPV4_HEADER_LENGTH_EXCEEDS_TOTAL_LENGTH, offloader.parseStatus());
        assertArrayEquals(malformed, bytes(out, frames.offset(0), frames.length(0)));

        final byte[] dontFragment = frame().protocol(TestFrames.UDP).payload(3000, 5).l4Sum(Sum.ZERO).build();
        assertEquals(OffloadStatus.DONT_FRAGMENT, process(offloader, dontFragment));
        assertArrayEquals(dontFragment, bytes(out, frames.offset(0), frames.length(0)));

        final byte[] arp = Arrays.copyOf(TestFrames.hex("ffffffffffff0200000000010806"), 60);
        assertEquals(OffloadStatus.NOT_IP, process(offloader, arp));
        assertArrayEquals(arp, bytes(out, frames.offset(0), frames.length(0)));
    }

    @Test
    void shouldRejectBadConfiguration()
    {
        assertEquals("mtu=67 must be in 68..65535", assertThrows(IllegalArgumentException.class,
            () -> new FrameOffloader(Checksums.best(), 67, 0, UdpOversizeMode.FRAGMENT)).getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> new FrameOffloader(Checksums.best(), 1500, -1, UdpOversizeMode.FRAGMENT));
    }
}

package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.testsupport.TestFrames.Sum;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
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
 * IP fragmentation: every fragment checked, then reassembled by the test, and the reassembled datagram must equal
 * the input with its UDP checksum completed over the whole datagram (what xnb(4) cannot do).
 */
class IpFragmenterTest
{
    private final IpFragmenter fragmenter = new IpFragmenter(Checksums.best());
    private final OutputFrames frames = new OutputFrames(256);
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));

    private byte[][] fragment(final byte[] input, final int mtu, final int identification)
    {
        final UnsafeBuffer src = offHeap(input, 1);
        final PacketHeaders headers = parsed(src, 1, input.length);
        assertEquals(OffloadStatus.SPLIT,
            fragmenter.fragment(src, headers, mtu, identification, out, 0, out.capacity(), frames));
        final byte[][] result = new byte[frames.count()][];
        for (int i = 0; i < result.length; i++)
        {
            result[i] = bytes(out, frames.offset(i), frames.length(i));
        }
        return result;
    }

    @Test
    void shouldFragmentIpv4UdpWithTheChecksumOverTheWholeDatagram()
    {
        // options: record route (not copied, 7 bytes) + NOP, then a copied option (security-like type 0x82, 4 bytes)
        final byte[] options = hex("07070400000000 01 82040000");
        final TestFrames builder = frame().vlan(0x8100, 5).protocol(TestFrames.UDP).dontFragment(false).ipId(0xBEEF)
            .ipv4Options(options).payload(4000, 1);
        final byte[] expected = builder.build();
        final byte[] input = builder.ipSum(Sum.ZERO).l4Sum(Sum.PSEUDO_ONLY).build();
        final int l3 = 18;
        final int ihl = 32;
        final byte[][] fragments = fragment(input, 1500, 0);
        final int perFragment = (1500 - ihl) & ~7;
        assertEquals((4008 + perFragment - 1) / perFragment, fragments.length);
        final ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < fragments.length; i++)
        {
            final byte[] f = fragments[i];
            final boolean last = i == fragments.length - 1;
            assertTrue(f.length - l3 <= 1500, "fits the MTU");
            assertArrayEquals(Arrays.copyOf(expected, l3), Arrays.copyOf(f, l3), "L2 copied");
            assertEquals(f.length - l3, getShort(f, l3 + 2), "total length");
            assertEquals(0xBEEF, getShort(f, l3 + 4), "same identification");
            assertEquals((last ? 0 : 0x2000) | (i * perFragment / 8), getShort(f, l3 + 6), "MF and offset");
            assertEquals(0, TestFrames.checksum(f, l3, ihl, 0), "header checksum");
            final byte[] fragmentOptions = Arrays.copyOfRange(f, l3 + 20, l3 + ihl);
            if (i == 0)
            {
                assertArrayEquals(Arrays.copyOf(options, 12), fragmentOptions);
            }
            else
            {
                assertArrayEquals(hex("01010101010101 01 82040000"), fragmentOptions, "non-copied options NOPed");
            }
            joined.write(f, l3 + ihl, f.length - l3 - ihl);
        }
        assertArrayEquals(Arrays.copyOfRange(expected, l3 + ihl, expected.length), joined.toByteArray(),
            "reassembled datagram with its checksum completed over all of it");
    }

    @Test
    void shouldFragmentIpv6WithAFragmentHeaderAfterTheUnfragmentablePart()
    {
        // hop-by-hop and routing are unfragmentable; the destination options after routing are fragmentable
        final TestFrames builder = frame().ipv6().protocol(TestFrames.UDP)
            .ipv6Extension(0, hex("00010400000000")).ipv6Extension(43, hex("00000000000000"))
            .ipv6Extension(60, hex("00010400000000")).payload(3000, 2);
        final byte[] expected = builder.build();
        final byte[] input = builder.l4Sum(Sum.PSEUDO_ONLY).build();
        final int l3 = 14;
        final int unfragmentable = 40 + 16;
        final byte[][] fragments = fragment(input, 1280, 0x01020304);
        final int perFragment = (1280 - unfragmentable - 8) & ~7;
        final int fragmentable = expected.length - l3 - unfragmentable;
        assertEquals((fragmentable + perFragment - 1) / perFragment, fragments.length);
        final ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < fragments.length; i++)
        {
            final byte[] f = fragments[i];
            final boolean last = i == fragments.length - 1;
            assertTrue(f.length - l3 <= 1280);
            assertEquals(f.length - l3 - 40, getShort(f, l3 + 4), "payload length");
            assertEquals(0, f[l3 + 6], "IPv6 header still points at hop-by-hop");
            assertEquals(44, f[l3 + 40 + 8] & 0xFF, "routing header now points at the fragment header");
            final int fragmentHeader = l3 + unfragmentable;
            assertEquals(60, f[fragmentHeader] & 0xFF, "fragment header: next = destination options");
            assertEquals(0, f[fragmentHeader + 1]);
            assertEquals((i * perFragment) | (last ? 0 : 1), getShort(f, fragmentHeader + 2));
            assertEquals(0x01020304, getInt(f, fragmentHeader + 4));
            assertArrayEquals(Arrays.copyOfRange(expected, 0, l3 + 4), Arrays.copyOfRange(f, 0, l3 + 4), "L2, flow");
            assertArrayEquals(Arrays.copyOfRange(expected, l3 + 6, l3 + 40 + 8), Arrays.copyOfRange(f, l3 + 6, l3 + 48),
                "addresses and hop-by-hop copied");
            joined.write(f, fragmentHeader + 8, f.length - fragmentHeader - 8);
        }
        assertArrayEquals(Arrays.copyOfRange(expected, l3 + unfragmentable, expected.length), joined.toByteArray());
    }

    @Test
    void shouldRefuseDontFragmentAndFragments()
    {
        final byte[] df = frame().protocol(TestFrames.UDP).payload(3000, 3).build();
        final UnsafeBuffer src = offHeap(df, 0);
        assertEquals(OffloadStatus.DONT_FRAGMENT,
            fragmenter.fragment(src, parsed(src, 0, df.length), 1500, 0, out, 0, out.capacity(), frames));
        final byte[] already = frame().protocol(TestFrames.UDP).dontFragment(false).payload(3000, 3).build();
        TestFrames.setShort(already, 20, 0x2000);
        final UnsafeBuffer fragmentBuffer = offHeap(already, 0);
        assertEquals(OffloadStatus.FRAGMENT_L4_LEFT, fragmenter.fragment(
            fragmentBuffer, parsed(fragmentBuffer, 0, already.length), 1500, 0, out, 0, out.capacity(), frames));
    }
}

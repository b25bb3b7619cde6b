package io.pvnet.checksum.parse;

import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.SplittableRandom;

import static io.pvnet.testsupport.TestFrames.frame;
import static io.pvnet.testsupport.TestFrames.hex;
import static io.pvnet.testsupport.TestFrames.setShort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeaderParserTest
{
    private static final EnumSet<ParseStatus> SEEN = EnumSet.noneOf(ParseStatus.class);
    private final PacketHeaders headers = new PacketHeaders();

    /**
     * Parses {@code frame} placed at the very end of a buffer of exactly its size (after 3 leading bytes), so any read
     * past the frame hits Agrona's bounds check and fails the test.
     */
    private ParseStatus parse(final byte[] frame)
    {
        final byte[] backing = new byte[frame.length + 3];
        System.arraycopy(frame, 0, backing, 3, frame.length);
        final ParseStatus status = HeaderParser.parse(new UnsafeBuffer(backing), 3, frame.length, headers);
        SEEN.add(status);
        return status;
    }

    private void assertMalformed(final ParseStatus expected, final byte[] frame)
    {
        assertEquals(expected, parse(frame));
    }

    @AfterAll
    static void everyReasonIsExercised()
    {
        final EnumSet<ParseStatus> missing = EnumSet.complementOf(SEEN);
        assertTrue(missing.isEmpty(), "reasons without a test: " + missing);
    }

    @Test
    void shouldParseIpv4TcpWithOptionsBehindTwoVlanTags()
    {
        final byte[] frame = frame().vlan(0x88A8, 10).vlan(0x8100, 20)
            .ipv4Options(hex("01010000")).tcpOptions(hex("0101080a0000000100000002")).tcpFlags(0x19)
            .payload(100, 1).build();
        assertEquals(ParseStatus.OK, parse(frame));
        assertEquals(2, headers.vlanCount());
        assertEquals(L3Protocol.IPV4, headers.l3());
        assertEquals(3 + 22, headers.l3Offset());
        assertEquals(24, headers.ipHeaderLength());
        assertEquals(24 + 32 + 100, headers.l3Length());
        assertEquals(PacketHeaders.PROTOCOL_TCP, headers.l4Protocol());
        assertEquals(3 + 22 + 24, headers.l4Offset());
        assertEquals(32, headers.l4HeaderLength());
        assertEquals(132, headers.l4Length());
        assertEquals(0x19, headers.tcpFlags());
        assertTrue(headers.dontFragment());
        assertFalse(headers.isFragment());
    }

    @Test
    void shouldAcceptEthernetPaddingAfterTheIpPacket()
    {
        final byte[] frame = Arrays.copyOf(frame().protocol(TestFrames.UDP).payload(2, 1).build(), 60);
        assertEquals(ParseStatus.OK, parse(frame));
        assertEquals(30, headers.l3Length());
        assertEquals(10, headers.l4Length());
    }

    @Test
    void shouldWalkIpv6ExtensionHeadersToUdp()
    {
        // hop-by-hop (8 bytes), routing type 0 with one address and segments left 1, destination options, UDP
        final byte[] routing = new byte[23];
        routing[0] = 2; // hdr ext len: (2 + 1) * 8 = 24 bytes
        routing[1] = 0; // type 0
        routing[2] = 1; // segments left
        final byte[] address = hex("20010db80000000000000000000000ff");
        System.arraycopy(address, 0, routing, 7, 16);
        final byte[] frame = frame().ipv6().protocol(TestFrames.UDP)
            .ipv6Extension(0, hex("00010400000000"))
            .ipv6Extension(43, routing)
            .ipv6Extension(60, hex("00010400000000"))
            .payload(33, 2).build();
        assertEquals(ParseStatus.OK, parse(frame));
        assertEquals(L3Protocol.IPV6, headers.l3());
        assertEquals(3, headers.ipv6ExtensionCount());
        assertEquals(40 + 8 + 24 + 8, headers.ipHeaderLength());
        assertEquals(PacketHeaders.PROTOCOL_UDP, headers.l4Protocol());
        assertEquals(41, headers.l4Length());
        assertEquals(3 + 14 + 40 + 8 + 8, headers.ipv6DestinationOffset(), "the routing header's last address");
        assertEquals(3 + 14 + 48 + 24, headers.l4ProtocolFieldOffset());
    }

    @Test
    void shouldStopAtANonFirstFragment()
    {
        final byte[] v4 = frame().protocol(TestFrames.UDP).dontFragment(false).payload(40, 3).build();
        setShort(v4, 14 + 6, 0x2000 | 185); // MF, offset 1480
        assertEquals(ParseStatus.OK, parse(v4));
        assertTrue(headers.isFragment());
        assertEquals(1480, headers.fragmentOffsetBytes());
        assertEquals(-1, headers.l4Offset());
        assertFalse(headers.hasL4Header());

        final byte[] v6 = frame().ipv6().protocol(TestFrames.UDP).ipv6Extension(44, hex("0005b900000001")).payload(40, 3)
            .build();
        assertEquals(ParseStatus.OK, parse(v6));
        assertTrue(headers.isFragment());
        assertEquals(0x5b8, headers.fragmentOffsetBytes());
        assertFalse(headers.hasL4Header());
    }

    @Test
    void shouldParseArpAndPassUnknownEthertypes()
    {
        final byte[] arp = hex("ffffffffffff001517e930680806 0001 0800 06 04 0001 001517e93068 c0a80a04 000000000000 c0a80a06");
        assertEquals(ParseStatus.OK, parse(arp));
        assertEquals(L3Protocol.ARP, headers.l3());
        assertEquals(28, headers.l3Length());

        final byte[] lldp = hex("0180c200000e0200000000010000000000000000");
        setShort(lldp, 12, 0x88CC);
        assertEquals(ParseStatus.OK, parse(lldp));
        assertEquals(L3Protocol.OTHER, headers.l3());
        assertEquals(0x88CC, headers.etherType());
    }

    @Test
    void shouldRejectTruncatedEthernetAndVlan()
    {
        assertMalformed(ParseStatus.ETHERNET_TRUNCATED, new byte[13]);
        final byte[] tagged = frame().vlan(0x8100, 1).build();
        assertMalformed(ParseStatus.VLAN_TRUNCATED, Arrays.copyOf(tagged, 17));
        assertMalformed(ParseStatus.VLAN_TOO_MANY_TAGS,
            frame().vlan(0x88A8, 1).vlan(0x8100, 2).vlan(0x8100, 3).build());
    }

    @Test
    void shouldRejectTruncatedArp()
    {
        final byte[] arp = hex("ffffffffffff001517e930680806 0001 0800 06 04 0001 001517e93068 c0a80a04 000000000000 c0a80a06");
        assertMalformed(ParseStatus.ARP_TRUNCATED, Arrays.copyOf(arp, 41));
        assertMalformed(ParseStatus.ARP_TRUNCATED, Arrays.copyOf(arp, 20));
    }

    @Test
    void shouldRejectMalformedIpv4()
    {
        final byte[] good = frame().protocol(TestFrames.UDP).payload(20, 4).build();
        assertMalformed(ParseStatus.IPV4_TRUNCATED, Arrays.copyOf(good, 14 + 19));

        final byte[] version = good.clone();
        version[14] = 0x55;
        assertMalformed(ParseStatus.IPV4_BAD_VERSION, version);

        final byte[] ihl = good.clone();
        ihl[14] = 0x44;
        assertMalformed(ParseStatus.IPV4_HEADER_LENGTH_TOO_SMALL, ihl);

        final byte[] longHeader = frame().protocol(TestFrames.UDP).ipv4Options(hex("01010101")).build();
        setShort(longHeader, 14 + 2, 22);
        assertMalformed(ParseStatus.IPV4_HEADER_LENGTH_EXCEEDS_TOTAL_LENGTH, longHeader);

        final byte[] total = good.clone();
        setShort(total, 14 + 2, good.length - 14 + 1);
        assertMalformed(ParseStatus.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME, total);

        assertMalformed(ParseStatus.IPV4_BAD_OPTION, frame().ipv4Options(hex("07100400")).build());
        assertMalformed(ParseStatus.IPV4_BAD_OPTION, frame().ipv4Options(hex("01010144")).build());
        assertMalformed(ParseStatus.IPV4_BAD_OPTION, frame().ipv4Options(hex("83010000")).build());

        final byte[] fragment = good.clone();
        setShort(fragment, 14 + 6, 8190);
        assertMalformed(ParseStatus.IPV4_FRAGMENT_TOO_LARGE, fragment);
    }

    @Test
    void shouldRejectMalformedIpv6()
    {
        final byte[] good = frame().ipv6().protocol(TestFrames.UDP).payload(20, 5).build();
        assertMalformed(ParseStatus.IPV6_TRUNCATED, Arrays.copyOf(good, 14 + 39));

        final byte[] version = good.clone();
        version[14] = 0x40;
        assertMalformed(ParseStatus.IPV6_BAD_VERSION, version);

        final byte[] payload = good.clone();
        setShort(payload, 14 + 4, good.length - 54 + 1);
        assertMalformed(ParseStatus.IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME, payload);

        final byte[] jumbo = frame().ipv6().protocol(TestFrames.UDP).ipv6Extension(0, hex("00c20400010000")).build();
        setShort(jumbo, 14 + 4, 0);
        assertMalformed(ParseStatus.IPV6_JUMBOGRAM_UNSUPPORTED, jumbo);

        final byte[] truncatedExtension = frame().ipv6().protocol(TestFrames.UDP)
            .ipv6Extension(60, hex("05010400000000")).payload(4, 1).build();
        assertMalformed(ParseStatus.IPV6_EXTENSION_TRUNCATED, truncatedExtension);

        assertMalformed(ParseStatus.IPV6_HOP_BY_HOP_NOT_FIRST, frame().ipv6().protocol(TestFrames.UDP)
            .ipv6Extension(60, hex("00010400000000")).ipv6Extension(0, hex("00010400000000")).build());

        assertMalformed(ParseStatus.IPV6_EXTENSION_REPEATED, frame().ipv6().protocol(TestFrames.UDP)
            .ipv6Extension(44, hex("00000000000001")).ipv6Extension(44, hex("00000000000001")).build());
        assertMalformed(ParseStatus.IPV6_EXTENSION_REPEATED, frame().ipv6().protocol(TestFrames.UDP)
            .ipv6Extension(43, hex("00000000000000")).ipv6Extension(43, hex("00000000000000")).build());

        final TestFrames many = frame().ipv6().protocol(TestFrames.UDP);
        for (int i = 0; i <= HeaderParser.MAX_IPV6_EXTENSION_HEADERS; i++)
        {
            many.ipv6Extension(60, hex("00010400000000"));
        }
        assertMalformed(ParseStatus.IPV6_TOO_MANY_EXTENSION_HEADERS, many.build());
    }

    @Test
    void shouldRejectMalformedTransportHeaders()
    {
        final byte[] tcp = frame().payload(10, 6).build();
        assertMalformed(ParseStatus.TCP_TRUNCATED, shortenIpv4Payload(tcp, 19));
        final byte[] dataOffsetSmall = tcp.clone();
        dataOffsetSmall[14 + 20 + 12] = 0x40;
        assertMalformed(ParseStatus.TCP_DATA_OFFSET_TOO_SMALL, dataOffsetSmall);
        final byte[] dataOffsetLarge = tcp.clone();
        dataOffsetLarge[14 + 20 + 12] = (byte)0xF0;
        assertMalformed(ParseStatus.TCP_DATA_OFFSET_EXCEEDS_SEGMENT, dataOffsetLarge);
        assertMalformed(ParseStatus.TCP_BAD_OPTION, frame().tcpOptions(hex("02000000")).build());
        assertMalformed(ParseStatus.TCP_BAD_OPTION, frame().tcpOptions(hex("01010308")).build());

        final byte[] udp = frame().protocol(TestFrames.UDP).payload(10, 7).build();
        assertMalformed(ParseStatus.UDP_TRUNCATED, shortenIpv4Payload(udp, 7));
        final byte[] udpLength = udp.clone();
        setShort(udpLength, 14 + 20 + 4, 19);
        assertMalformed(ParseStatus.UDP_LENGTH_MISMATCH, udpLength);
        setShort(udpLength, 14 + 20 + 4, 7);
        assertMalformed(ParseStatus.UDP_LENGTH_MISMATCH, udpLength);

        assertMalformed(ParseStatus.ICMP_TRUNCATED, shortenIpv4Payload(frame().protocol(TestFrames.ICMP).build(), 7));
        final byte[] icmp6 = frame().ipv6().protocol(TestFrames.ICMPV6).build();
        setShort(icmp6, 14 + 4, 3);
        assertMalformed(ParseStatus.ICMPV6_TRUNCATED, Arrays.copyOf(icmp6, 14 + 40 + 3));
    }

    @Test
    void shouldNeverThrowOrReadPastTheFrameOnMutatedFrames()
    {
        final byte[][] seeds = {
            frame().vlan(0x8100, 5).ipv4Options(hex("01010000")).tcpOptions(hex("020405b4")).payload(64, 1).build(),
            frame().ipv6().protocol(TestFrames.UDP).ipv6Extension(0, hex("00010400000000"))
                .ipv6Extension(44, hex("00000000000001")).payload(64, 2).build(),
            frame().protocol(TestFrames.ICMP).payload(30, 3).build(),
            frame().ipv6().protocol(TestFrames.ICMPV6).payload(30, 4).build(),
        };
        final SplittableRandom random = new SplittableRandom(0xF022);
        final int cases = Integer.getInteger("pvnet.parse.fuzzCases", 200_000);
        for (int i = 0; i < cases; i++)
        {
            final byte[] seed = seeds[i % seeds.length];
            final byte[] mutated = Arrays.copyOf(seed, random.nextInt(seed.length + 1));
            final int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips && mutated.length > 0; f++)
            {
                mutated[random.nextInt(mutated.length)] = (byte)random.nextInt(256);
            }
            final byte[] backing = Arrays.copyOf(mutated, mutated.length);
            final ParseStatus status = HeaderParser.parse(new UnsafeBuffer(backing), 0, backing.length, headers);
            if (status == ParseStatus.OK && headers.l4Offset() >= 0)
            {
                assertTrue(headers.l4Offset() + headers.l4Length() <= backing.length, "case " + i);
                assertTrue(headers.l4Offset() + headers.l4HeaderLength() <= backing.length, "case " + i);
            }
        }
    }

    private static byte[] shortenIpv4Payload(final byte[] frame, final int payload)
    {
        final byte[] shorter = Arrays.copyOf(frame, 14 + 20 + payload);
        setShort(shorter, 14 + 2, 20 + payload);
        return shorter;
    }
}

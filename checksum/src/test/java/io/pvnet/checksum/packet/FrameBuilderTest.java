package io.pvnet.checksum.packet;

import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static io.pvnet.checksum.packet.CapturedFrames.IPV6_HI;
import static io.pvnet.checksum.packet.CapturedFrames.IP_A;
import static io.pvnet.checksum.packet.CapturedFrames.IP_B;
import static io.pvnet.checksum.packet.CapturedFrames.MAC_A;
import static io.pvnet.checksum.packet.CapturedFrames.MAC_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The frame builder and {@link NeighbourMessages} reproduce frames Linux sent byte for byte ({@link CapturedFrames}),
 * and complete checksums agree with {@link TestFrames#checksum}, an RFC 1071 implementation that shares no code with
 * the packet layer.
 */
class FrameBuilderTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final FrameBuilder builder = new FrameBuilder();

    @Test
    void shouldWriteTheArpRequestAndReplyLinuxSends()
    {
        assertFrame(CapturedFrames.ARP_REQUEST, NeighbourMessages.arpRequest(buffer, MAC_A, IP_A, IP_B));
        assertFrame(CapturedFrames.ARP_REPLY, NeighbourMessages.arpReply(buffer, MAC_B, IP_B, MAC_A, IP_A));
    }

    @Test
    void shouldWriteTheNeighbourSolicitationAndAdvertisementLinuxSends()
    {
        assertFrame(CapturedFrames.NEIGHBOUR_SOLICITATION,
            NeighbourMessages.neighbourSolicitation(buffer, MAC_A, IPV6_HI, 1, IPV6_HI, 2));
        assertFrame(CapturedFrames.NEIGHBOUR_ADVERTISEMENT, NeighbourMessages.neighbourAdvertisement(buffer, MAC_B, MAC_A,
            IPV6_HI, 2, IPV6_HI, 1, IPV6_HI, 2, NeighbourDiscovery.FLAG_SOLICITED | NeighbourDiscovery.FLAG_OVERRIDE));
    }

    @Test
    void shouldBuildTheUdpDatagramLinuxSentWithItsPartialChecksum()
    {
        final int length = builder.wrap(buffer, 0)
            .ethernet(MAC_B, MAC_A)
            .ipv4(IP_A, IP_B).identification(0x3e9b)
            .udp(40000, 7)
            .payload(ascii("pvnet packet layer"))
            .buildPartial();
        assertFrame(CapturedFrames.UDP, length);
        assertEquals(34, builder.l4Offset(), "checksum start for the peer that completes it");
    }

    @Test
    void shouldBuildTheTcpSegmentsLinuxSentWithOptionsAndPartialChecksums()
    {
        int length = builder.wrap(buffer, 0)
            .ethernet(MAC_B, MAC_A)
            .ipv4(IP_A, IP_B).identification(0x1f70)
            .tcp(40001, 9, 0x03e1450aL, 0, TcpHeader.SYN, 0xfaf0)
            .tcpMss(1460).tcpOption(0x0402080a).tcpOption(0x9f96cf97).tcpOption(0).tcpOption(0x0103030a)
            .buildPartial();
        assertFrame(CapturedFrames.TCP_SYN, length);

        length = builder.wrap(buffer, 0)
            .ethernet(MAC_B, MAC_A)
            .ipv4(IP_A, IP_B).identification(0x1f72)
            .tcp(40001, 9, 0x03e1450bL, 0xebe6637dL, TcpHeader.PSH | TcpHeader.ACK, 0x3f)
            .tcpOption(0x0101080a).tcpOption(0x9f96cf97).tcpOption(0xfd5e9c0f)
            .payload(ascii("discard me"))
            .buildPartial();
        assertFrame(CapturedFrames.TCP_DATA, length);
    }

    @Test
    void shouldBuildUdpOverIpv6WithAFlowLabel()
    {
        final int length = builder.wrap(buffer, 0)
            .ethernet(MAC_B, MAC_A)
            .ipv6(IPV6_HI, 1, IPV6_HI, 2).flowLabel(0x37a54)
            .udp(40002, 7)
            .payload(ascii("over ipv6"))
            .buildPartial();
        assertFrame(CapturedFrames.UDP6, length);
    }

    @Test
    void shouldBuildIcmpAndIcmpv6EchoRequestsWithCompleteChecksums()
    {
        int length = builder.wrap(buffer, 0)
            .ethernet(MAC_B, MAC_A)
            .ipv4(IP_A, IP_B).identification(0x2e9c)
            .icmp(IcmpHeader.V4_ECHO_REQUEST, 0, 0x1234_0001)
            .payload(ascii("abcdefgh"))
            .build();
        assertFrame(CapturedFrames.ICMP_ECHO, length);

        length = builder.wrap(buffer, 0)
            .ethernet(MAC_B, MAC_A)
            .ipv6(IPV6_HI, 1, IPV6_HI, 2).flowLabel(0xee2b7)
            .icmp(IcmpHeader.V6_ECHO_REQUEST, 0, 0x1234_0001)
            .payload(ascii("abcdefgh"))
            .build();
        assertFrame(CapturedFrames.ICMPV6_ECHO, length);
    }

    @Test
    void shouldCompleteUdpAndTcpChecksumsAsRfc1071Says()
    {
        final byte[] payload = new byte[1001];
        new java.util.SplittableRandom(7).nextBytes(payload);
        for (final boolean tcp : new boolean[] {false, true})
        {
            builder.wrap(buffer, 0).ethernet(MAC_B, MAC_A).ipv4(IP_A, IP_B).identification(7);
            if (tcp)
            {
                builder.tcp(1, 2, 3, 4, TcpHeader.ACK, 5).tcpMss(1400);
            }
            else
            {
                builder.udp(1, 2);
            }
            final int length = builder.payload(payload).build();
            final byte[] frame = bytes(length);
            final int l4Length = length - 34;
            assertEquals(0, TestFrames.checksum(frame, 14, 20, 0), "IPv4 header checksum");
            final int pseudo = 0x0A09 + 0x0001 + 0x0A09 + 0x0002 + (tcp ? 6 : 17) + l4Length;
            assertEquals(0, TestFrames.checksum(frame, 34, l4Length, pseudo), (tcp ? "TCP" : "UDP") + " checksum");
            assertEquals(tcp ? 0 : l4Length, tcp ? 0 : UdpHeader.length(buffer, 34), "UDP length");
        }
    }

    @Test
    void shouldSendAUdpChecksumOfZeroAsAllOnes()
    {
        // a payload word chosen so the datagram sums to 0xFFFF: its checksum computes to 0, sent as 0xFFFF (RFC 768)
        builder.wrap(buffer, 0).ethernet(MAC_B, MAC_A).ipv4(IP_A, IP_B).udp(1, 2).payloadLength(2);
        buffer.putShort(builder.payloadOffset(), (short)0);
        builder.build();
        final int complement = UdpHeader.checksum(buffer, 34);
        buffer.putShort(builder.payloadOffset(), (short)complement, java.nio.ByteOrder.BIG_ENDIAN);
        builder.wrap(buffer, 0).ethernet(MAC_B, MAC_A).ipv4(IP_A, IP_B).udp(1, 2).payloadLength(2).build();
        assertEquals(0xFFFF, UdpHeader.checksum(buffer, 34));
    }

    @Test
    void shouldInsertAVlanTagBeforeTheEtherType()
    {
        final int length = builder.wrap(buffer, 0)
            .ethernet(MAC_B, MAC_A).vlan(0x2005)
            .ipv4(IP_A, IP_B).identification(0x3e9b)
            .udp(40000, 7)
            .payload(ascii("pvnet packet layer"))
            .buildPartial();
        final byte[] expected = new byte[CapturedFrames.UDP.length + 4];
        System.arraycopy(CapturedFrames.UDP, 0, expected, 0, 12);
        System.arraycopy(TestFrames.hex("81002005"), 0, expected, 12, 4);
        System.arraycopy(CapturedFrames.UDP, 12, expected, 16, CapturedFrames.UDP.length - 12);
        assertFrame(expected, length);
        assertEquals(EthernetHeader.ETHERTYPE_VLAN, EthernetHeader.etherType(buffer, 0));
        assertEquals(5, EthernetHeader.vlanTci(buffer, 0) & EthernetHeader.VLAN_ID_MASK);
        assertEquals(EthernetHeader.ETHERTYPE_IPV4, EthernetHeader.vlanEtherType(buffer, 0));
    }

    @Test
    void shouldBuildAtAnOffsetInsideTheBuffer()
    {
        final int length = builder.wrap(buffer, 100).ethernet(MAC_B, MAC_A).ipv4(IP_A, IP_B).identification(0x3e9b)
            .udp(40000, 7).payload(ascii("pvnet packet layer")).buildPartial();
        final byte[] frame = new byte[length];
        buffer.getBytes(100, frame);
        assertArrayEquals(CapturedFrames.UDP, frame);
    }

    private void assertFrame(final byte[] expected, final int length)
    {
        assertEquals(expected.length, length, "frame length");
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(bytes(length)));
    }

    private byte[] bytes(final int length)
    {
        final byte[] frame = new byte[length];
        buffer.getBytes(0, frame);
        return frame;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

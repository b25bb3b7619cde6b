package io.pvnet.checksum.packet;

import io.pvnet.checksum.Checksums;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.pvnet.checksum.packet.CapturedFrames.IPV6_HI;
import static io.pvnet.checksum.packet.CapturedFrames.IP_A;
import static io.pvnet.checksum.packet.CapturedFrames.IP_B;
import static io.pvnet.checksum.packet.CapturedFrames.MAC_A;
import static io.pvnet.checksum.packet.CapturedFrames.MAC_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The header descriptors read every field of frames Linux sent, and update fields in place. */
class HeaderReadTest
{
    private static final int IP = EthernetHeader.LENGTH;

    @Test
    void shouldReadArp()
    {
        final UnsafeBuffer frame = frame(CapturedFrames.ARP_REQUEST);
        assertEquals(MAC_A, EthernetHeader.source(frame, 0));
        assertEquals(EthernetHeader.BROADCAST, EthernetHeader.destination(frame, 0));
        assertEquals(EthernetHeader.ETHERTYPE_ARP, EthernetHeader.etherType(frame, 0));
        assertTrue(ArpHeader.isEthernetIpv4(frame, IP));
        assertEquals(ArpHeader.OPERATION_REQUEST, ArpHeader.operation(frame, IP));
        assertEquals(MAC_A, ArpHeader.senderMac(frame, IP));
        assertEquals(IP_A, ArpHeader.senderIp(frame, IP));
        assertEquals(0, ArpHeader.targetMac(frame, IP));
        assertEquals(IP_B, ArpHeader.targetIp(frame, IP));
    }

    @Test
    void shouldReadIpv4AndTcpWithOptions()
    {
        final UnsafeBuffer frame = frame(CapturedFrames.TCP_SYN);
        assertEquals(4, Ipv4Header.version(frame, IP));
        assertEquals(20, Ipv4Header.headerLength(frame, IP));
        assertEquals(60, Ipv4Header.totalLength(frame, IP));
        assertEquals(0x1f70, Ipv4Header.identification(frame, IP));
        assertEquals(Ipv4Header.DONT_FRAGMENT, Ipv4Header.flagsFragment(frame, IP));
        assertEquals(64, Ipv4Header.ttl(frame, IP));
        assertEquals(IpProtocol.TCP, Ipv4Header.protocol(frame, IP));
        assertEquals(0x0738, Ipv4Header.checksum(frame, IP));
        assertEquals(IP_A, Ipv4Header.source(frame, IP));
        assertEquals(IP_B, Ipv4Header.destination(frame, IP));
        final int tcp = IP + 20;
        assertEquals(40001, TcpHeader.sourcePort(frame, tcp));
        assertEquals(9, TcpHeader.destinationPort(frame, tcp));
        assertEquals(0x03e1450aL, TcpHeader.sequence(frame, tcp));
        assertEquals(40, TcpHeader.headerLength(frame, tcp));
        assertEquals(TcpHeader.SYN, TcpHeader.flags(frame, tcp));
        assertEquals(0xfaf0, TcpHeader.window(frame, tcp));
        assertEquals(1460, TcpHeader.mssOption(frame, tcp));
        assertEquals(10, TcpHeader.windowScaleOption(frame, tcp));
        assertEquals(-1, TcpHeader.findOption(frame, tcp, 30), "absent option");
        final UnsafeBuffer data = frame(CapturedFrames.TCP_DATA);
        assertEquals(0xebe6637dL, TcpHeader.acknowledgment(data, tcp), "unsigned 32-bit acknowledgment");
        assertEquals(-1, TcpHeader.mssOption(data, tcp), "no MSS option after the handshake");
    }

    @Test
    void shouldReadUdpAndIcmp()
    {
        final UnsafeBuffer udp = frame(CapturedFrames.UDP);
        assertEquals(40000, UdpHeader.sourcePort(udp, 34));
        assertEquals(7, UdpHeader.destinationPort(udp, 34));
        assertEquals(26, UdpHeader.length(udp, 34));
        assertEquals(0x1440, UdpHeader.checksum(udp, 34));
        final UnsafeBuffer icmp = frame(CapturedFrames.ICMP_ECHO);
        assertEquals(IcmpHeader.V4_ECHO_REQUEST, IcmpHeader.type(icmp, 34));
        assertEquals(0, IcmpHeader.code(icmp, 34));
        assertEquals(0x5435, IcmpHeader.checksum(icmp, 34));
        assertEquals(0x1234, IcmpHeader.identifier(icmp, 34));
        assertEquals(1, IcmpHeader.sequence(icmp, 34));
    }

    @Test
    void shouldReadIpv6AndNeighbourDiscovery()
    {
        final UnsafeBuffer frame = frame(CapturedFrames.NEIGHBOUR_ADVERTISEMENT);
        assertEquals(6, Ipv6Header.version(frame, IP));
        assertEquals(32, Ipv6Header.payloadLength(frame, IP));
        assertEquals(IpProtocol.ICMPV6, Ipv6Header.nextHeader(frame, IP));
        assertEquals(255, Ipv6Header.hopLimit(frame, IP));
        assertEquals(IPV6_HI, Ipv6Header.sourceHi(frame, IP));
        assertEquals(2, Ipv6Header.sourceLo(frame, IP));
        assertEquals(IPV6_HI, Ipv6Header.destinationHi(frame, IP));
        assertEquals(1, Ipv6Header.destinationLo(frame, IP));
        final int icmp = IP + Ipv6Header.LENGTH;
        assertEquals(IcmpHeader.V6_NEIGHBOUR_ADVERTISEMENT, IcmpHeader.type(frame, icmp));
        assertEquals(NeighbourDiscovery.FLAG_SOLICITED | NeighbourDiscovery.FLAG_OVERRIDE,
            NeighbourDiscovery.flags(frame, icmp));
        assertEquals(IPV6_HI, NeighbourDiscovery.targetHi(frame, icmp));
        assertEquals(2, NeighbourDiscovery.targetLo(frame, icmp));
        assertEquals(MAC_B, NeighbourDiscovery.linkLayerOption(frame, icmp, frame.capacity(),
            NeighbourDiscovery.TARGET_LINK_LAYER));
        assertEquals(-1, NeighbourDiscovery.linkLayerOption(frame, icmp, frame.capacity(),
            NeighbourDiscovery.SOURCE_LINK_LAYER));
        assertEquals(0x37a54, Ipv6Header.versionClassFlow(frame(CapturedFrames.UDP6), IP) & 0xF_FFFF, "flow label");
    }

    @Test
    void shouldDeriveTheEui64LinkLocalAddressOfAMac()
    {
        // RFC 4291 appendix A: 02:00:00:00:00:0a -> fe80::ff:fe00:a (the universal/local bit flipped)
        assertEquals(0x0000_00FF_FE00_000AL, Ipv6Header.linkLocalLo(MAC_A));
        assertTrue(Ipv6Header.isLinkLocal(Ipv6Header.LINK_LOCAL_HI));
        assertTrue(Ipv6Header.isMulticast(0xFF02_0000_0000_0000L));
        assertFalse(Ipv6Header.isLinkLocal(IPV6_HI));
    }

    @Test
    void shouldWalkIpv6ExtensionHeadersToTheUpperLayer()
    {
        // fixed header, hop-by-hop (8 bytes, PadN), routing (24 bytes, type 4, one segment), fragment, UDP
        final byte[] udp6 = CapturedFrames.UDP6;
        final byte[] extensions = TestFrames.hex(
            "2b00010400000000" +                                              // hop-by-hop -> routing, PadN
            "2c02040100000000fd000009000000000000000000000002" +              // routing -> fragment, SRH
            "1100000000000001");                                              // fragment -> UDP, id 1
        final byte[] packet = new byte[udp6.length + extensions.length];
        System.arraycopy(udp6, 0, packet, 0, 54);
        System.arraycopy(extensions, 0, packet, 54, extensions.length);
        System.arraycopy(udp6, 54, packet, 54 + extensions.length, udp6.length - 54);
        final UnsafeBuffer frame = frame(packet);
        Ipv6Header.nextHeader(frame, IP, IpProtocol.HOP_BY_HOP);
        Ipv6Header.payloadLength(frame, IP, packet.length - 54);
        final long walk = Ipv6ExtensionHeader.walk(frame, IP, packet.length);
        assertEquals(54 + extensions.length, Ipv6ExtensionHeader.upperLayerOf(walk), "UDP header");
        assertEquals(54 + 32, Ipv6ExtensionHeader.fieldOf(walk), "the fragment header names UDP");
        assertEquals(IpProtocol.UDP, frame.getByte(Ipv6ExtensionHeader.fieldOf(walk)));
        assertEquals(24, Ipv6ExtensionHeader.length(frame, 62, IpProtocol.ROUTING));
        assertEquals(1, Ipv6ExtensionHeader.segmentsLeft(frame, 62));
        assertEquals(1, Ipv6ExtensionHeader.fragmentIdentification(frame, 86));
        assertEquals(Ipv6ExtensionHeader.TRUNCATED, Ipv6ExtensionHeader.walk(frame, IP, 54 + 20),
            "a routing header running past the packet");
    }

    @Test
    void shouldDecrementTheTtlKeepingTheHeaderChecksumRight()
    {
        final UnsafeBuffer frame = frame(CapturedFrames.UDP);
        for (int ttl = 63; ttl >= 1; ttl--)
        {
            PacketChecksums.decrementTtl(frame, IP);
            assertEquals(ttl, Ipv4Header.ttl(frame, IP));
            final byte[] bytes = new byte[frame.capacity()];
            frame.getBytes(0, bytes);
            assertEquals(0, TestFrames.checksum(bytes, IP, 20, 0), "header checksum at ttl " + ttl);
        }
    }

    @Test
    void shouldVerifyTheKernelsCompleteChecksumsWithTheReferenceSum()
    {
        for (final byte[] bytes : new byte[][] {CapturedFrames.NEIGHBOUR_SOLICITATION,
            CapturedFrames.NEIGHBOUR_ADVERTISEMENT, CapturedFrames.ICMPV6_ECHO})
        {
            final UnsafeBuffer frame = frame(bytes);
            final int l4 = IP + Ipv6Header.LENGTH;
            final int length = Ipv6Header.payloadLength(frame, IP);
            final int pseudo = io.pvnet.checksum.PseudoHeader.ipv6(frame, IP + Ipv6Header.SOURCE_OFFSET,
                IP + Ipv6Header.DESTINATION_OFFSET, IpProtocol.ICMPV6, length);
            assertEquals(0xFFFF, Checksums.reference().sum(frame, l4, length, pseudo));
        }
        final UnsafeBuffer icmp = frame(CapturedFrames.ICMP_ECHO);
        assertEquals(0xFFFF, Checksums.reference().sum(icmp, IP, 20));
        assertEquals(0xFFFF, Checksums.reference().sum(icmp, 34, 16));
    }

    @Test
    void shouldSwapAddressesAndPortsInPlace()
    {
        final UnsafeBuffer frame = frame(CapturedFrames.UDP6);
        Ipv6Header.swapAddresses(frame, IP);
        UdpHeader.swapPorts(frame, 54);
        assertEquals(2, Ipv6Header.sourceLo(frame, IP));
        assertEquals(1, Ipv6Header.destinationLo(frame, IP));
        assertEquals(7, UdpHeader.sourcePort(frame, 54));
        assertEquals(40002, UdpHeader.destinationPort(frame, 54));
    }

    private static UnsafeBuffer frame(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
        buffer.putBytes(0, bytes);
        return buffer;
    }
}

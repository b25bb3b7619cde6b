package io.pvnet.checksum.packet;

import org.agrona.MutableDirectBuffer;

/**
 * Whole ARP (RFC 826) and NDP (RFC 4861) frames, untagged, written at offset 0 of a buffer: what a host or router
 * sends to resolve a neighbour or answer for an address. Layouts: {@link ArpHeader}, {@link Ipv6Header},
 * {@link IcmpHeader}, {@link NeighbourDiscovery}. Static, stateless; nothing allocates.
 */
public final class NeighbourMessages
{
    /** Length of an ARP frame. */
    public static final int ARP_LENGTH = EthernetHeader.LENGTH + ArpHeader.LENGTH;
    /** Length of an NS or NA frame with one link-layer address option. */
    public static final int NDP_LENGTH = EthernetHeader.LENGTH + Ipv6Header.LENGTH + NeighbourDiscovery.LENGTH;
    /** Where the ICMPv6 header of an NDP frame starts. */
    public static final int NDP_ICMP_OFFSET = EthernetHeader.LENGTH + Ipv6Header.LENGTH;
    /** All-nodes multicast ff02::1 and its MAC. */
    public static final long ALL_NODES_HI = 0xFF02_0000_0000_0000L;
    /** All nodes lo. */
    public static final long ALL_NODES_LO = 1;
    /** All nodes mac. */
    public static final long ALL_NODES_MAC = 0x3333_0000_0001L;

    private NeighbourMessages()
    {
    }

    /**
     * Writes an ARP request (broadcast) for {@code targetIp};
     *
     * @param frame the buffer to write the frame into, from index 0.
     * @param sourceMac the source mac.
     * @param sourceIp the source ip.
     * @param targetIp the target ip.
     * @return its length.
     */
    public static int arpRequest(
        final MutableDirectBuffer frame, final long sourceMac, final int sourceIp, final int targetIp)
    {
        return arp(frame, ArpHeader.OPERATION_REQUEST, EthernetHeader.BROADCAST, sourceMac, sourceIp, 0, targetIp);
    }

    /**
     * Writes an ARP reply saying {@code sourceIp} is at {@code sourceMac};
     *
     * @param frame the buffer to write the frame into, from index 0.
     * @param sourceMac the source mac.
     * @param sourceIp the source ip.
     * @param targetMac the target mac.
     * @param targetIp the target ip.
     * @return its length.
     */
    public static int arpReply(
        final MutableDirectBuffer frame, final long sourceMac, final int sourceIp, final long targetMac,
        final int targetIp)
    {
        return arp(frame, ArpHeader.OPERATION_REPLY, targetMac, sourceMac, sourceIp, targetMac, targetIp);
    }

    private static int arp(
        final MutableDirectBuffer frame, final int operation, final long destinationMac, final long sourceMac,
        final int sourceIp, final long targetMac, final int targetIp)
    {
        EthernetHeader.destination(frame, 0, destinationMac);
        EthernetHeader.source(frame, 0, sourceMac);
        EthernetHeader.etherType(frame, 0, EthernetHeader.ETHERTYPE_ARP);
        ArpHeader.write(frame, EthernetHeader.LENGTH, operation, sourceMac, sourceIp, targetMac, targetIp);
        return ARP_LENGTH;
    }

    /**
     * Writes a neighbour solicitation for {@code target} to its solicited-node group ff02::1:ffXX:XXXX, with a source
     * link-layer option;
     *
     * @param frame the buffer to write the frame into, from index 0.
     * @param sourceMac the source mac.
     * @param sourceHi the source hi.
     * @param sourceLo the source lo.
     * @param targetHi the target hi.
     * @param targetLo the target lo.
     * @return its length.
     */
    public static int neighbourSolicitation(
        final MutableDirectBuffer frame, final long sourceMac, final long sourceHi, final long sourceLo,
        final long targetHi, final long targetLo)
    {
        EthernetHeader.destination(frame, 0, solicitedNodeMac(targetLo));
        ndp(frame, sourceMac, sourceHi, sourceLo, ALL_NODES_HI, 0x0000_0001_FF00_0000L | (targetLo & 0xFF_FFFFL),
            IcmpHeader.V6_NEIGHBOUR_SOLICITATION, 0, targetHi, targetLo, NeighbourDiscovery.SOURCE_LINK_LAYER);
        return NDP_LENGTH;
    }

    /**
     * Writes a neighbour advertisement for {@code target} with a target link-layer option;
     *
     * @param frame the buffer to write the frame into, from index 0.
     * @param sourceMac the source mac.
     * @param destinationMac the destination mac.
     * @param sourceHi the source hi.
     * @param sourceLo the source lo.
     * @param destinationHi the destination hi.
     * @param destinationLo the destination lo.
     * @param targetHi the target hi.
     * @param targetLo the target lo.
     * @param flags the flags.
     * @return its length.
     */
    public static int neighbourAdvertisement(
        final MutableDirectBuffer frame, final long sourceMac, final long destinationMac, final long sourceHi,
        final long sourceLo, final long destinationHi, final long destinationLo, final long targetHi,
        final long targetLo, final int flags)
    {
        EthernetHeader.destination(frame, 0, destinationMac);
        ndp(frame, sourceMac, sourceHi, sourceLo, destinationHi, destinationLo, IcmpHeader.V6_NEIGHBOUR_ADVERTISEMENT,
            flags, targetHi, targetLo, NeighbourDiscovery.TARGET_LINK_LAYER);
        return NDP_LENGTH;
    }

    /**
     * The MAC of the solicited-node group of an address ending in {@code lo} (33:33:ff:XX:XX:XX).
     *
     * @param lo bytes 8-15 of the address.
     * @return the MAC of the solicited-node group of an address ending in {@code lo} (33:33:ff:XX:XX:XX).
     */
    public static long solicitedNodeMac(final long lo)
    {
        return 0x3333_FF00_0000L | (lo & 0xFF_FFFFL);
    }

    private static void ndp(
        final MutableDirectBuffer frame, final long sourceMac, final long sourceHi, final long sourceLo,
        final long destinationHi, final long destinationLo, final int type, final int flags, final long targetHi,
        final long targetLo, final int option)
    {
        final int ip = EthernetHeader.LENGTH;
        EthernetHeader.source(frame, 0, sourceMac);
        EthernetHeader.etherType(frame, 0, EthernetHeader.ETHERTYPE_IPV6);
        Ipv6Header.versionClassFlow(frame, ip, Ipv6Header.VERSION_6_WORD);
        Ipv6Header.payloadLength(frame, ip, NeighbourDiscovery.LENGTH);
        Ipv6Header.nextHeader(frame, ip, IpProtocol.ICMPV6);
        Ipv6Header.hopLimit(frame, ip, NeighbourDiscovery.HOP_LIMIT);
        Ipv6Header.source(frame, ip, sourceHi, sourceLo);
        Ipv6Header.destination(frame, ip, destinationHi, destinationLo);
        NeighbourDiscovery.write(frame, NDP_ICMP_OFFSET, type, flags, targetHi, targetLo, option, sourceMac);
        PacketChecksums.transport6(frame, ip, IpProtocol.ICMPV6, NDP_ICMP_OFFSET, NeighbourDiscovery.LENGTH);
    }
}

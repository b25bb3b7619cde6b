package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.ArpHeader;
import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.IcmpHeader;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.NeighbourDiscovery;
import io.pvnet.checksum.packet.NeighbourMessages;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The {@link GuestStack}'s ARP and NDP: answers requests and solicitations for the stack's own addresses, sends its
 * own (to resolve a peer for the {@link TrafficGenerator}), and remembers the link-layer address of the neighbour
 * heard from last, one for IPv4 and one for IPv6 (a guest talks to one peer at a time).
 * <p>
 * Threading: the stack's thread only. Allocates its one small reply buffer here, nothing after.
 */
final class GuestNeighbours
{
    /** Where the header after Ethernet starts in an untagged frame. */
    private static final int L3 = EthernetHeader.LENGTH;
    private static final int IPV6_L4 = L3 + Ipv6Header.LENGTH;
    /** Room for the longest message written here (an NS or NA with its link-layer option). */
    private static final int REPLY_BYTES = 256;

    private final long mac;
    private final int ipv4;
    private final long ipv6Hi;
    private final long ipv6Lo;
    private final ReplySender sender;
    private final UnsafeBuffer reply = new UnsafeBuffer(ByteBuffer.allocateDirect(REPLY_BYTES));

    private int ipv4Neighbour;
    private long ipv4NeighbourMac = -1;
    private long ipv6NeighbourHi;
    private long ipv6NeighbourLo;
    private long ipv6NeighbourMac = -1;

    /**
     * @param mac    the stack's MAC.
     * @param ipv4   its IPv4 address, 0 for none.
     * @param ipv6Hi its IPv6 address's bytes 0..7 (0 with {@code ipv6Lo} for none).
     * @param ipv6Lo its IPv6 address's bytes 8..15.
     * @param sender where replies and requests go.
     */
    GuestNeighbours(final long mac, final int ipv4, final long ipv6Hi, final long ipv6Lo, final ReplySender sender)
    {
        this.mac = mac;
        this.ipv4 = ipv4;
        this.ipv6Hi = ipv6Hi;
        this.ipv6Lo = ipv6Lo;
        this.sender = sender;
    }

    /**
     * An ARP frame: a request for the stack's address is answered; any ARP naming it as the target teaches the
     * sender's MAC. Others are ignored (ARP is never handed to the application).
     */
    void arp(final DirectBuffer buffer, final int offset, final int length)
    {
        final int arp = offset + L3;
        if (length < NeighbourMessages.ARP_LENGTH || ArpHeader.hardwareType(buffer, arp) != ArpHeader.HARDWARE_ETHERNET ||
            ArpHeader.protocolType(buffer, arp) != EthernetHeader.ETHERTYPE_IPV4)
        {
            return;
        }
        final long senderMac = ArpHeader.senderMac(buffer, arp);
        final int senderIp = ArpHeader.senderIp(buffer, arp);
        if (ipv4 == 0 || ArpHeader.targetIp(buffer, arp) != ipv4)
        {
            return;
        }
        ipv4Neighbour = senderIp;
        ipv4NeighbourMac = senderMac;
        if (ArpHeader.operation(buffer, arp) == ArpHeader.OPERATION_REQUEST)
        {
            sender.send(reply, NeighbourMessages.arpReply(reply, mac, ipv4, senderMac, senderIp));
        }
    }

    /**
     * An NDP message of ICMPv6 {@code type} in the IPv6 packet at {@code offset} (its payload ends at {@code end}): a
     * solicitation for the stack's address is answered with an advertisement; an advertisement teaches its target's
     * MAC.
     *
     * @return whether it was one of these (else the stack goes on with the packet).
     */
    boolean ndp(final DirectBuffer buffer, final int offset, final int end, final int type)
    {
        final int l4 = offset + IPV6_L4;
        if (type == IcmpHeader.V6_NEIGHBOUR_SOLICITATION && NeighbourDiscovery.targetHi(buffer, l4) == ipv6Hi &&
            NeighbourDiscovery.targetLo(buffer, l4) == ipv6Lo)
        {
            final long senderMac = linkLayerAddress(buffer, offset, end, NeighbourDiscovery.SOURCE_LINK_LAYER);
            ipv6NeighbourHi = Ipv6Header.sourceHi(buffer, offset + L3);
            ipv6NeighbourLo = Ipv6Header.sourceLo(buffer, offset + L3);
            ipv6NeighbourMac = senderMac;
            sender.send(reply, NeighbourMessages.neighbourAdvertisement(reply, mac, senderMac, ipv6Hi, ipv6Lo,
                ipv6NeighbourHi, ipv6NeighbourLo, ipv6Hi, ipv6Lo,
                NeighbourDiscovery.FLAG_SOLICITED | NeighbourDiscovery.FLAG_OVERRIDE));
            return true;
        }
        if (type == IcmpHeader.V6_NEIGHBOUR_ADVERTISEMENT)
        {
            // learn it: the target link-layer address option, else the source MAC
            ipv6NeighbourHi = NeighbourDiscovery.targetHi(buffer, l4);
            ipv6NeighbourLo = NeighbourDiscovery.targetLo(buffer, l4);
            ipv6NeighbourMac = linkLayerAddress(buffer, offset, end, NeighbourDiscovery.TARGET_LINK_LAYER);
            return true;
        }
        return false;
    }

    /** {@return the MAC in the NS/NA's link-layer option of {@code type}, else the frame's source MAC} */
    private static long linkLayerAddress(final DirectBuffer buffer, final int offset, final int end, final int type)
    {
        final long option = NeighbourDiscovery.linkLayerOption(buffer, offset + IPV6_L4, end, type);
        return option >= 0 ? option : EthernetHeader.source(buffer, offset);
    }

    /** Sends an ARP request (broadcast) for IPv4 address {@code target}. */
    void sendArpRequest(final int target)
    {
        sender.send(reply, NeighbourMessages.arpRequest(reply, mac, ipv4, target));
    }

    /** Sends a neighbour solicitation for {@code (targetHi, targetLo)} to its solicited-node multicast address. */
    void sendNeighbourSolicitation(final long targetHi, final long targetLo)
    {
        sender.send(reply, NeighbourMessages.neighbourSolicitation(reply, mac, ipv6Hi, ipv6Lo, targetHi, targetLo));
    }

    /** {@return the MAC learned for IPv4 {@code address}, or -1} */
    long mac4(final int address)
    {
        return address == ipv4Neighbour ? ipv4NeighbourMac : -1;
    }

    /** {@return the MAC learned for IPv6 {@code (hi, lo)}, or -1} */
    long mac6(final long hi, final long lo)
    {
        return hi == ipv6NeighbourHi && lo == ipv6NeighbourLo ? ipv6NeighbourMac : -1;
    }
}

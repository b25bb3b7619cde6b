package io.pvnet.engine.router;

import io.pvnet.checksum.packet.ArpHeader;
import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.IcmpHeader;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.NeighbourDiscovery;
import io.pvnet.checksum.packet.NeighbourMessages;
import io.pvnet.engine.port.PortDropReason;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The router's neighbour half: ARP (RFC 826) and NDP (RFC 4861) on its ports. Answers requests and solicitations for
 * the router's own addresses and, as a proxy, for any address it routes out of another port; learns the link-layer
 * address of neighbours that speak to it ({@link NeighbourTable}); resolves next hops for the forwarding half
 * ({@link #solicit}) with retransmission and time-out ({@link #retransmit}), and sends or drops what waited in
 * {@link PendingFrames} once a next hop answers or never does.
 * <p>
 * Threading: the router's thread only, like {@link Router}. Nothing allocates per frame.
 */
final class NeighbourProtocol
{
    /** A consumed ARP/NDP frame; any other return value is a {@link PortDropReason}. */
    static final int CONSUMED = 0;

    private final Router router;
    private final RouterConfig config;
    private final RouteTable routes;
    private final NeighbourTable neighbours;
    private final PendingFrames pending;
    private final UnsafeBuffer control = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private long requestsSent;
    private long repliesSent;

    NeighbourProtocol(
        final Router router, final RouterConfig config, final RouteTable routes, final NeighbourTable neighbours,
        final PendingFrames pending)
    {
        this.router = router;
        this.config = config;
        this.routes = routes;
        this.neighbours = neighbours;
        this.pending = pending;
    }

    long requestsSent()
    {
        return requestsSent;
    }

    long repliesSent()
    {
        return repliesSent;
    }

    /** An ARP frame from port {@code in}. @return {@link #CONSUMED} or a drop reason. */
    int arp(final int in, final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        final int arp = offset + EthernetHeader.LENGTH;
        if (length < NeighbourMessages.ARP_LENGTH || !ArpHeader.isEthernetIpv4(buffer, arp))
        {
            return PortDropReason.MALFORMED;
        }
        final int operation = ArpHeader.operation(buffer, arp);
        final long senderMac = ArpHeader.senderMac(buffer, arp);
        final int senderIp = ArpHeader.senderIp(buffer, arp);
        final int targetIp = ArpHeader.targetIp(buffer, arp);
        if (operation != ArpHeader.OPERATION_REQUEST && operation != ArpHeader.OPERATION_REPLY)
        {
            return PortDropReason.MALFORMED;
        }
        final boolean answer = operation == ArpHeader.OPERATION_REQUEST && senderIp != targetIp &&
            answersFor4(in, targetIp);
        if (senderIp != 0 && !EthernetHeader.isGroup(senderMac))
        {
            learn(answer ? neighbours.findOrAdd(in, NeighbourTable.IPV4_HI, senderIp & 0xFFFF_FFFFL) :
                neighbours.find(in, NeighbourTable.IPV4_HI, senderIp & 0xFFFF_FFFFL), senderMac, nowNs);
        }
        if (answer)
        {
            final int replyLength = NeighbourMessages.arpReply(control, router.portMac(in), targetIp, senderMac, senderIp);
            repliesSent++;
            router.sendControl(in, control, replyLength);
        }
        return CONSUMED;
    }

    /** Whether the router answers ARP on port {@code in} for {@code target}: its own, or routed out of another port. */
    private boolean answersFor4(final int in, final int target)
    {
        if (target == 0)
        {
            return false;
        }
        if (router.addresses().address4(in) == target)
        {
            return true;
        }
        if (target >>> 24 >= 224 || target >>> 24 == 127)
        {
            return false;
        }
        final int route = routes.lookup4(target);
        return route != RouteTable.NO_ROUTE && routes.port4(route) != in;
    }

    /**
     * An NDP message (ICMPv6 type 133..137) in the IPv6 packet at {@code offset + 14} from port {@code in}.
     *
     * @param end one past the packet's last byte.
     * @return {@link #CONSUMED} or a drop reason.
     */
    int ndp(final int in, final DirectBuffer buffer, final int offset, final int end, final int type, final long nowNs)
    {
        final int ip = offset + EthernetHeader.LENGTH;
        final int icmp = ip + Ipv6Header.LENGTH;
        if (Ipv6Header.hopLimit(buffer, ip) != NeighbourDiscovery.HOP_LIMIT || IcmpHeader.code(buffer, icmp) != 0)
        {
            return PortDropReason.NOT_ROUTABLE;
        }
        if (type != IcmpHeader.V6_NEIGHBOUR_SOLICITATION && type != IcmpHeader.V6_NEIGHBOUR_ADVERTISEMENT)
        {
            // router/redirect messages: this router sends no advertisements and takes no redirects
            return PortDropReason.NOT_ROUTABLE;
        }
        if (end - icmp < NeighbourDiscovery.OPTIONS_OFFSET)
        {
            return PortDropReason.MALFORMED;
        }
        final long targetHi = NeighbourDiscovery.targetHi(buffer, icmp);
        final long targetLo = NeighbourDiscovery.targetLo(buffer, icmp);
        if (type == IcmpHeader.V6_NEIGHBOUR_ADVERTISEMENT)
        {
            long mac = NeighbourDiscovery.linkLayerOption(buffer, icmp, end, NeighbourDiscovery.TARGET_LINK_LAYER);
            if (mac < 0)
            {
                mac = EthernetHeader.source(buffer, offset);
            }
            learn(neighbours.find(in, targetHi, targetLo), mac, nowNs);
            return CONSUMED;
        }
        final long sourceHi = Ipv6Header.sourceHi(buffer, ip);
        final long sourceLo = Ipv6Header.sourceLo(buffer, ip);
        final boolean unspecified = (sourceHi | sourceLo) == 0;
        final boolean own = (targetHi == router.addresses().addressHi6(in) && targetLo == router.addresses().addressLo6(in) &&
            (targetHi | targetLo) != 0) || (targetHi == Ipv6Header.LINK_LOCAL_HI && targetLo == router.addresses().linkLocalLo(in));
        final boolean answer = own || answersProxy6(in, targetHi, targetLo);
        final long senderMac = NeighbourDiscovery.linkLayerOption(buffer, icmp, end, NeighbourDiscovery.SOURCE_LINK_LAYER);
        if (!unspecified && senderMac >= 0)
        {
            learn(answer ? neighbours.findOrAdd(in, sourceHi, sourceLo) : neighbours.find(in, sourceHi, sourceLo),
                senderMac, nowNs);
        }
        if (answer)
        {
            final long destinationMac = senderMac >= 0 ? senderMac : EthernetHeader.source(buffer, offset);
            final int flags = NeighbourDiscovery.FLAG_ROUTER | (unspecified ? 0 : NeighbourDiscovery.FLAG_SOLICITED) |
                (own ? NeighbourDiscovery.FLAG_OVERRIDE : 0);
            // an unspecified source (duplicate address detection) is answered to all nodes (RFC 4861 7.2.4)
            final int length = NeighbourMessages.neighbourAdvertisement(control, router.portMac(in),
                unspecified ? NeighbourMessages.ALL_NODES_MAC : destinationMac,
                own ? targetHi : Ipv6Header.LINK_LOCAL_HI, own ? targetLo : router.addresses().linkLocalLo(in),
                unspecified ? NeighbourMessages.ALL_NODES_HI : sourceHi,
                unspecified ? NeighbourMessages.ALL_NODES_LO : sourceLo, targetHi, targetLo, flags);
            repliesSent++;
            router.sendControl(in, control, length);
        }
        return CONSUMED;
    }

    private boolean answersProxy6(final int in, final long targetHi, final long targetLo)
    {
        if (Ipv6Header.isMulticast(targetHi) || Ipv6Header.isLinkLocal(targetHi) || (targetHi | targetLo) == 0)
        {
            return false;
        }
        final int route = routes.lookup6(targetHi, targetLo);
        return route != RouteTable.NO_ROUTE && routes.port6(route) != in;
    }

    private void learn(final int entry, final long mac, final long nowNs)
    {
        if (entry == NeighbourTable.NONE)
        {
            return;
        }
        neighbours.confirm(entry, mac, nowNs);
        if (neighbours.pendingCount(entry) > 0)
        {
            flushPending(entry);
        }
    }

    /** Sends an ARP request or neighbour solicitation for {@code entry} out of its port. */
    void solicit(final int entry, final long nowNs)
    {
        final int out = neighbours.port(entry);
        final int length;
        if (neighbours.isIpv4(entry))
        {
            length = NeighbourMessages.arpRequest(control, router.portMac(out), router.addresses().address4(out),
                (int)neighbours.lo(entry));
        }
        else
        {
            final boolean global = (router.addresses().addressHi6(out) | router.addresses().addressLo6(out)) != 0;
            length = NeighbourMessages.neighbourSolicitation(control, router.portMac(out),
                global ? router.addresses().addressHi6(out) : Ipv6Header.LINK_LOCAL_HI,
                global ? router.addresses().addressLo6(out) : router.addresses().linkLocalLo(out), neighbours.hi(entry), neighbours.lo(entry));
        }
        neighbours.requested(entry, nowNs);
        requestsSent++;
        router.sendControl(out, control, length);
    }

    /** Retransmits requests whose answer is overdue and gives up on next hops that never answered. */
    int retransmit(final long nowNs)
    {
        int work = 0;
        for (int entry = 0; entry < neighbours.slots(); entry++)
        {
            if (!neighbours.isUsed(entry) || neighbours.pendingCount(entry) == 0 ||
                nowNs - neighbours.requestedNs(entry) < config.retransmitNs())
            {
                continue;
            }
            work++;
            if (neighbours.requests(entry) >= config.requests())
            {
                dropPending(entry);
                neighbours.invalidate(entry);
            }
            else
            {
                solicit(entry, nowNs);
            }
        }
        return work;
    }

    /** The next hop answered: sends what waited for it. */
    private void flushPending(final int entry)
    {
        final long mac = neighbours.mac(entry);
        final int out = neighbours.port(entry);
        int slot = neighbours.pendingHead(entry);
        neighbours.pendingClear(entry);
        while (slot != PendingFrames.END)
        {
            final UnsafeBuffer frame = pending.frame(slot);
            EthernetHeader.destination(frame, 0, mac);
            router.send(out, frame, pending.length(slot), pending.metadata(slot));
            slot = pending.release(slot);
        }
    }

    private void dropPending(final int entry)
    {
        int slot = neighbours.pendingHead(entry);
        neighbours.pendingClear(entry);
        while (slot != PendingFrames.END)
        {
            router.dropQueued(neighbours.port(entry), PortDropReason.NEIGHBOUR_UNREACHABLE);
            slot = pending.release(slot);
        }
    }
}

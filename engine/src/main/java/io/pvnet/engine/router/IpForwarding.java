package io.pvnet.engine.router;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.PacketChecksums;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.port.PortDropReason;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The {@link Router}'s forwarding pipeline for one IPv4 or IPv6 packet addressed to a port's MAC, read in order:
 * header checks, what must not be forwarded, the router's own addresses, TTL / hop limit (an ICMP error by
 * {@link IcmpErrors} when it runs out), the longest-prefix lookup ({@link RouteTable}), the decrement (IPv4 header
 * checksum updated incrementally, RFC 1624) in a private copy of the frame, and the next hop's MAC
 * ({@link NeighbourTable}): sent at once when known and fresh, else queued in {@link PendingFrames} while
 * {@link NeighbourProtocol} asks. Each drop is counted with its reason in {@link RouterCounters}.
 * <p>
 * Threading: the router thread only (as everything of the router). Allocates nothing per frame: the copy is made into
 * one buffer allocated here.
 */
final class IpForwarding
{
    /** Largest frame the router takes: an IP packet of 64 KiB with its Ethernet header and some slack. */
    static final int MAX_FRAME = 65535 + 18 + 64;
    /** Where the IP header of an (untagged) routed frame starts. */
    static final int IP = EthernetHeader.LENGTH;

    private final Router router;
    private final RouterConfig config;
    private final RouterAddresses addresses;
    private final RouteTable routes;
    private final NeighbourTable neighbours;
    private final PendingFrames pending;
    private final RouterCounters counters;
    private final NeighbourProtocol neighbourProtocol;
    private final IcmpErrors icmpErrors;
    /** The frame being forwarded, its TTL and MACs rewritten (the ingress buffer is never written). */
    private final UnsafeBuffer work = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAME));

    IpForwarding(
        final Router router, final RouterConfig config, final RouterAddresses addresses, final RouteTable routes,
        final NeighbourTable neighbours, final PendingFrames pending, final RouterCounters counters,
        final NeighbourProtocol neighbourProtocol, final IcmpErrors icmpErrors)
    {
        this.router = router;
        this.config = config;
        this.addresses = addresses;
        this.routes = routes;
        this.neighbours = neighbours;
        this.pending = pending;
        this.counters = counters;
        this.neighbourProtocol = neighbourProtocol;
        this.icmpErrors = icmpErrors;
    }

    /**
     * Forwards the IPv4 frame that came in on port {@code in} (its destination MAC was the port's).
     *
     * @return 0 when sent or queued, else the {@link PortDropReason} it was dropped for (counted).
     */
    int forward4(
        final int in, final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata,
        final long nowNs)
    {
        final int ip = offset + IP;
        if (length < IP + Ipv4Header.MIN_LENGTH)
        {
            return counters.drop(in, PortDropReason.MALFORMED);
        }
        final int headerLength = Ipv4Header.headerLength(buffer, ip);
        final int totalLength = Ipv4Header.totalLength(buffer, ip);
        if (Ipv4Header.version(buffer, ip) != 4 || headerLength < Ipv4Header.MIN_LENGTH || IP + totalLength > length ||
            totalLength < headerLength)
        {
            return counters.drop(in, PortDropReason.MALFORMED);
        }
        final int source = Ipv4Header.source(buffer, ip);
        final int destination = Ipv4Header.destination(buffer, ip);
        if (addresses.isOwn4(destination))
        {
            return counters.drop(in, PortDropReason.TO_ROUTER);
        }
        final int firstOctet = destination >>> 24;
        if (firstOctet >= 224 || firstOctet == 0 || firstOctet == 127 || source >>> 24 == 127 ||
            (source >>> 24) >= 224)
        {
            return counters.drop(in, PortDropReason.NOT_ROUTABLE);
        }
        if (Ipv4Header.ttl(buffer, ip) <= 1)
        {
            icmpErrors.timeExceeded4(in, buffer, offset, source, nowNs);
            return counters.drop(in, PortDropReason.TTL_EXCEEDED);
        }
        final int route = routes.lookup4(destination);
        if (route == RouteTable.NO_ROUTE)
        {
            return counters.drop(in, PortDropReason.NO_ROUTE);
        }
        work.putBytes(0, buffer, offset, length);
        PacketChecksums.decrementTtl(work, IP);
        final int out = routes.port4(route);
        final int nextHop = routes.nextHop4(route, destination);
        return resolveAndSend(in, out, NeighbourTable.IPV4_HI, nextHop & 0xFFFF_FFFFL, length, metadata, nowNs);
    }

    /**
     * Forwards the IPv6 frame that came in on port {@code in}, its header checked for length and version, not an NDP
     * message, and its destination MAC the port's.
     *
     * @return 0 when sent or queued, else the {@link PortDropReason} it was dropped for (counted).
     */
    int forward6(
        final int in, final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata,
        final long nowNs)
    {
        final int ip = offset + IP;
        final long sourceHi = Ipv6Header.sourceHi(buffer, ip);
        final long destinationHi = Ipv6Header.destinationHi(buffer, ip);
        final long destinationLo = Ipv6Header.destinationLo(buffer, ip);
        if (addresses.isOwn6(destinationHi, destinationLo))
        {
            return counters.drop(in, PortDropReason.TO_ROUTER);
        }
        if (Ipv6Header.isMulticast(destinationHi) || Ipv6Header.isLinkLocal(destinationHi) ||
            Ipv6Header.isLinkLocal(sourceHi) || Ipv6Header.isMulticast(sourceHi) ||
            (destinationHi == 0 && (destinationLo >>> 1) == 0))
        {
            return counters.drop(in, PortDropReason.NOT_ROUTABLE);
        }
        final int hopLimit = Ipv6Header.hopLimit(buffer, ip);
        if (hopLimit <= 1)
        {
            icmpErrors.timeExceeded6(in, buffer, offset, sourceHi, Ipv6Header.sourceLo(buffer, ip), nowNs);
            return counters.drop(in, PortDropReason.TTL_EXCEEDED);
        }
        final int route = routes.lookup6(destinationHi, destinationLo);
        if (route == RouteTable.NO_ROUTE)
        {
            return counters.drop(in, PortDropReason.NO_ROUTE);
        }
        work.putBytes(0, buffer, offset, length);
        Ipv6Header.hopLimit(work, IP, hopLimit - 1);
        final int out = routes.port6(route);
        final boolean via = routes.hasVia6(route);
        return resolveAndSend(in, out, via ? routes.viaHi6(route) : destinationHi,
            via ? routes.viaLo6(route) : destinationLo, length, metadata, nowNs);
    }

    /** Sends the frame in {@link #work} out of {@code out} to next hop {@code (hi, lo)}, or queues it meanwhile. */
    private int resolveAndSend(
        final int in, final int out, final long hi, final long lo, final int length, final FrameMetadata metadata,
        final long nowNs)
    {
        EthernetHeader.source(work, 0, addresses.mac(out));
        final int entry = neighbours.findOrAdd(out, hi, lo);
        if (entry == NeighbourTable.NONE)
        {
            return counters.drop(in, PortDropReason.NEIGHBOUR_TABLE_FULL);
        }
        final long mac = neighbours.mac(entry);
        if (mac != NeighbourTable.NO_MAC)
        {
            if (nowNs - neighbours.confirmedNs(entry) < config.reachableNs())
            {
                EthernetHeader.destination(work, 0, mac);
                router.send(out, work, length, metadata);
                return 0;
            }
            neighbours.invalidate(entry);
        }
        if (neighbours.pendingCount(entry) >= config.pendingPerNeighbour())
        {
            return counters.drop(in, PortDropReason.NEIGHBOUR_QUEUE_FULL);
        }
        final int slot = pending.take(work, 0, length, metadata);
        if (slot == PendingFrames.END)
        {
            return counters.drop(in, PortDropReason.NEIGHBOUR_QUEUE_FULL);
        }
        neighbours.pendingAppend(entry, slot, pending);
        if (neighbours.requests(entry) == 0)
        {
            neighbourProtocol.solicit(entry, nowNs);
        }
        return 0;
    }
}

package io.pvnet.engine.router;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.IcmpHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.Ipv6Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * ICMP and ICMPv6 time-exceeded messages the router sends back to the source of a packet whose TTL / hop limit ran
 * out, from the ingress port's address, built with a {@link FrameBuilder}. An error never waits for resolution: it is
 * sent only when the source's next hop is already known and reachable, and never about an ICMP error or a later
 * fragment (RFC 1812 4.3.2.7, RFC 4443 2.4 (e)). Counted sent or unsent either way.
 * <p>
 * Threading: the router's thread only. Nothing allocates per frame.
 */
final class IcmpErrors
{
    private static final int IP = EthernetHeader.LENGTH;
    private static final int TTL = 64;
    /** What is quoted after the offending packet's IP header (RFC 792: its first 8 bytes). */
    private static final int QUOTED_DATA = 8;

    private final Router router;
    private final RouterConfig config;
    private final RouteTable routes;
    private final NeighbourTable neighbours;
    private final FrameBuilder builder = new FrameBuilder();
    private final UnsafeBuffer control = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private long sent;
    private long unsent;

    IcmpErrors(final Router router, final RouterConfig config, final RouteTable routes, final NeighbourTable neighbours)
    {
        this.router = router;
        this.config = config;
        this.routes = routes;
        this.neighbours = neighbours;
    }

    long sent()
    {
        return sent;
    }

    long unsent()
    {
        return unsent;
    }

    /** ICMP time exceeded (RFC 792: type 11, code 0, the IP header + 8 bytes) for the IPv4 frame at {@code offset}. */
    void timeExceeded4(final int in, final DirectBuffer buffer, final int offset, final int source, final long nowNs)
    {
        final int ip = offset + IP;
        final int ihl = Ipv4Header.headerLength(buffer, ip);
        final int totalLength = Ipv4Header.totalLength(buffer, ip);
        final int type = buffer.getByte(ip + ihl + IcmpHeader.TYPE_OFFSET);
        final boolean icmpError = Ipv4Header.protocol(buffer, ip) == IpProtocol.ICMP && totalLength > ihl &&
            type != IcmpHeader.V4_ECHO_REQUEST && type != IcmpHeader.V4_ECHO_REPLY;
        final boolean laterFragment = (Ipv4Header.flagsFragment(buffer, ip) & Ipv4Header.FRAGMENT_OFFSET_MASK) != 0;
        final int route = routes.lookup4(source);
        final int address = router.addresses().address4(in);
        if (address == 0 || route == RouteTable.NO_ROUTE || icmpError || laterFragment)
        {
            unsent++;
            return;
        }
        final int length = builder.wrap(control, 0)
            .ethernet(0, 0)
            .ipv4(address, source).flagsFragment(0).ttl(TTL)
            .icmp(IcmpHeader.V4_TIME_EXCEEDED, 0, 0)
            .payload(buffer, ip, Math.min(ihl + QUOTED_DATA, totalLength))
            .build();
        send(routes.port4(route), NeighbourTable.IPV4_HI, routes.nextHop4(route, source) & 0xFFFF_FFFFL, length, nowNs);
    }

    /** ICMPv6 time exceeded (RFC 4443: type 3, code 0, the IPv6 header + 8 bytes) for the IPv6 frame at {@code offset}. */
    void timeExceeded6(
        final int in, final DirectBuffer buffer, final int offset, final long sourceHi, final long sourceLo,
        final long nowNs)
    {
        final int ip = offset + IP;
        final int payloadLength = Ipv6Header.payloadLength(buffer, ip);
        final boolean icmpError = Ipv6Header.nextHeader(buffer, ip) == IpProtocol.ICMPV6 && payloadLength > 0 &&
            IcmpHeader.type(buffer, ip + Ipv6Header.LENGTH) < IcmpHeader.V6_INFORMATIONAL;
        final int route = routes.lookup6(sourceHi, sourceLo);
        final long hi = router.addresses().addressHi6(in);
        final long lo = router.addresses().addressLo6(in);
        if ((hi | lo) == 0 || route == RouteTable.NO_ROUTE || icmpError)
        {
            unsent++;
            return;
        }
        final int length = builder.wrap(control, 0)
            .ethernet(0, 0)
            .ipv6(hi, lo, sourceHi, sourceLo).ttl(TTL)
            .icmp(IcmpHeader.V6_TIME_EXCEEDED, 0, 0)
            .payload(buffer, ip, Ipv6Header.LENGTH + Math.min(QUOTED_DATA, payloadLength))
            .build();
        final boolean via = routes.hasVia6(route);
        send(routes.port6(route), via ? routes.viaHi6(route) : sourceHi, via ? routes.viaLo6(route) : sourceLo, length,
            nowNs);
    }

    /** Sends the error in {@link #control} when its next hop is resolved; else nothing (counted either way). */
    private void send(final int out, final long hi, final long lo, final int length, final long nowNs)
    {
        final int entry = neighbours.find(out, hi, lo);
        if (entry == NeighbourTable.NONE || neighbours.mac(entry) == NeighbourTable.NO_MAC ||
            nowNs - neighbours.confirmedNs(entry) >= config.reachableNs())
        {
            unsent++;
            return;
        }
        EthernetHeader.destination(control, 0, neighbours.mac(entry));
        EthernetHeader.source(control, 0, router.portMac(out));
        if (router.sendControl(out, control, length))
        {
            sent++;
        }
    }
}

package io.pvnet.engine.router;

import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.bridge.EgressEdge;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortTable;
import io.pvnet.engine.port.SwitchFabric;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.pvnet.engine.router.NeighbourMessages.ETHERTYPE_ARP;
import static io.pvnet.engine.router.NeighbourMessages.ETHERTYPE_IPV4;
import static io.pvnet.engine.router.NeighbourMessages.ETHERTYPE_IPV6;
import static io.pvnet.engine.router.NeighbourMessages.LINK_LOCAL_HI;
import static io.pvnet.engine.router.NeighbourMessages.mac;
import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Routed mode, the alternative to the {@link io.pvnet.engine.bridge.Bridge}: an IPv4/IPv6 router between L3
 * {@link Port}s. Each port has its own MAC and optionally an IPv4 and an IPv6 address with a prefix (a connected
 * route each) plus its EUI-64 link-local address; static routes ({@link #route4}, {@link #route6}) add gateways.
 * For each frame addressed to a port's MAC the router checks the IP header, drops what must not be forwarded, looks
 * the destination up (longest prefix, {@link RouteTable}), decrements TTL / hop limit (IPv4 header checksum updated
 * incrementally, RFC 1624; at 1 the packet is dropped and ICMP time exceeded sent back), rewrites both MACs and sends it through the {@link EgressEdge} (offload at the edge: sums
 * completed and TSO split only for ports that cannot). Next hops are resolved per port by ARP / NDP
 * ({@link NeighbourTable}); frames wait in {@link PendingFrames} while that runs, and are dropped with a reason when
 * the queue is full or nobody answers.
 * <p>
 * ARP and NDP for the hosts behind the ports: the router answers ARP requests and neighbour solicitations for its own
 * addresses and, as a proxy, for any address it routes out of another port, so a host with a route (or a host that
 * simply ARPs for an off-link destination) reaches the router's MAC.
 * <p>
 * Accounting: {@code offered = forwarded + local + drops + egressDrops + pending} ({@link #offered} etc.): every frame
 * handed to an ingress sink is forwarded (an egress port took it), consumed (ARP/NDP), dropped by the router with a
 * {@link PortDropReason} (also counted on the ingress port's rx side), refused at egress (reason on the egress port's
 * tx side), or still waiting for its next hop.
 * <p>
 * Threading: single-threaded, like the bridge: every ingress sink and {@link #doWork} on one thread (run the router
 * and the agents of its ports in one {@link org.agrona.concurrent.CompositeAgent}); configure before it starts. A
 * port's {@code onFrame} must not call back into the router. Nothing allocates per frame.
 */
public final class Router implements SwitchFabric
{
    private static final int MAX_FRAME = 65535 + 18 + 64;
    private static final long NO_ADDRESS = 0;

    private final RouterConfig config;
    private final PortTable ports;
    private final long[] macs;
    private final int[] address4;
    private final int[] prefix4;
    private final long[] addressHi6;
    private final long[] addressLo6;
    private final int[] prefix6;
    private final long[] linkLocalLo;
    private final RouteTable routes;
    private final NeighbourTable neighbours;
    private final PendingFrames pending;
    private final EgressEdge edge;
    private final NanoClock clock;
    private final UnsafeBuffer work = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAME));
    private final UnsafeBuffer control = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private final long[] drops = new long[PortDropReason.END - PortDropReason.FIRST];
    private long nowNs;
    private long nextScanNs;

    private long offered;
    private long forwarded;
    private long local;
    private long egressDrops;
    private long requestsSent;
    private long repliesSent;
    private long icmpErrorsSent;
    private long icmpErrorsUnsent;

    public Router(final RouterConfig config)
    {
        this.config = config;
        ports = new PortTable(this, config.maxPorts());
        macs = new long[config.maxPorts()];
        address4 = new int[config.maxPorts()];
        prefix4 = new int[config.maxPorts()];
        addressHi6 = new long[config.maxPorts()];
        addressLo6 = new long[config.maxPorts()];
        prefix6 = new int[config.maxPorts()];
        linkLocalLo = new long[config.maxPorts()];
        routes = new RouteTable(config.maxRoutes());
        neighbours = new NeighbourTable(config.maxNeighbours());
        pending = new PendingFrames(config.pendingFrames(), MAX_FRAME);
        edge = new EgressEdge(config.offload());
        clock = config.clock();
        nowNs = clock.nanoTime();
    }

    /**
     * Adds a port with its MAC (unicast, 48 bits). Before the router thread starts.
     *
     * @return the port's index; its ingress sink is {@link #ingress}{@code (index)}.
     */
    public int attach(final Port port, final long mac)
    {
        if (ports.size() == ports.capacity())
        {
            throw new IllegalStateException("maxPorts=" + ports.capacity() + " reached, cannot attach " + port.name());
        }
        if ((mac & 0x0100_0000_0000L) != 0 || mac == 0 || (mac >>> 48) != 0)
        {
            throw new IllegalArgumentException("mac=" + Long.toHexString(mac) + " must be a unicast 48-bit MAC");
        }
        final int index = ports.add(port);
        macs[index] = mac;
        linkLocalLo[index] = NeighbourMessages.linkLocalLo(mac);
        return index;
    }

    /** Gives port {@code index} an IPv4 address and adds its connected route. */
    public void address4(final int index, final int address, final int prefix)
    {
        checkPort(index);
        if (prefix < 1 || prefix > 32 || address == 0)
        {
            throw new IllegalArgumentException("address4 prefix=" + prefix + " must be in 1..32 with an address");
        }
        address4[index] = address;
        prefix4[index] = prefix;
        routes.add4(address, prefix, index, 0);
    }

    /** Gives port {@code index} an IPv6 address ({@code hi}, {@code lo}) and adds its connected route. */
    public void address6(final int index, final long hi, final long lo, final int prefix)
    {
        checkPort(index);
        if (prefix < 1 || prefix > 128 || (hi == 0 && lo == 0) || (hi >>> 56) == 0xFF)
        {
            throw new IllegalArgumentException("address6 prefix=" + prefix + " must be in 1..128 with a unicast address");
        }
        addressHi6[index] = hi;
        addressLo6[index] = lo;
        prefix6[index] = prefix;
        routes.add6(hi, lo, prefix, index, false, 0, 0);
    }

    /** Adds a static IPv4 route out of port {@code index}, via {@code gateway} (0: on-link). */
    public void route4(final int network, final int prefix, final int index, final int gateway)
    {
        checkPort(index);
        routes.add4(network, prefix, index, gateway);
    }

    /** Adds a static IPv6 route out of port {@code index}, via a gateway when {@code hasVia}. */
    public void route6(
        final long hi, final long lo, final int prefix, final int index, final boolean hasVia, final long viaHi,
        final long viaLo)
    {
        checkPort(index);
        routes.add6(hi, lo, prefix, index, hasVia, viaHi, viaLo);
    }

    private void checkPort(final int index)
    {
        ports.checkIndex(index);
    }

    @Override
    public PortTable ports()
    {
        return ports;
    }

    /** @return where port {@code index} hands the frames it receives ({@link PortTable#ingress}). */
    public FrameSink ingress(final int index)
    {
        return ports.ingress(index);
    }

    public int portCount()
    {
        return ports.size();
    }

    public Port port(final int index)
    {
        return ports.port(index);
    }

    public long portMac(final int index)
    {
        return macs[index];
    }

    /** @return the router's counters for port {@code index} (rx: what came in and router drops; tx: egress). */
    public PortCounters counters(final int index)
    {
        return ports.counters(index);
    }

    /** @return offered, forwarded, local, dropped (with each reason that occurred) and pending frames, as text. */
    @Override
    public String totals()
    {
        final StringBuilder text = new StringBuilder("router offered ").append(offered()).append(" forwarded ")
            .append(forwarded()).append(" local ").append(local()).append(" dropped ")
            .append(dropsTotal() + egressDrops()).append(" pending ").append(pending());
        for (int reason = PortDropReason.FIRST; reason < PortDropReason.END; reason++)
        {
            if (drops(reason) > 0)
            {
                text.append(' ').append(PortDropReason.name(reason)).append(' ').append(drops(reason));
            }
        }
        return text.toString();
    }

    public RouteTable routes()
    {
        return routes;
    }

    public NeighbourTable neighbours()
    {
        return neighbours;
    }

    public EgressEdge edge()
    {
        return edge;
    }

    /** @return frames handed to the router's ingress sinks. */
    public long offered()
    {
        return offered;
    }

    /** @return frames an egress port took (after waiting for resolution or not). */
    public long forwarded()
    {
        return forwarded;
    }

    /** @return ARP and NDP frames the router consumed. */
    public long local()
    {
        return local;
    }

    /** @return frames the router dropped for {@code reason}. */
    public long drops(final int reason)
    {
        return reason >= PortDropReason.FIRST && reason < PortDropReason.END ? drops[reason - PortDropReason.FIRST] : 0;
    }

    /** @return all frames the router dropped itself. */
    public long dropsTotal()
    {
        long sum = 0;
        for (final long value : drops)
        {
            sum += value;
        }
        return sum;
    }

    /** @return frames an egress port refused (reasons on that port's tx counters). */
    public long egressDrops()
    {
        return egressDrops;
    }

    /** @return frames waiting for a next hop now. */
    public int pending()
    {
        return pending.inUse();
    }

    /** @return ARP requests and neighbour solicitations sent. */
    public long requestsSent()
    {
        return requestsSent;
    }

    /** @return ICMP / ICMPv6 time-exceeded messages sent. */
    public long icmpErrorsSent()
    {
        return icmpErrorsSent;
    }

    /** @return time-exceeded messages not sent (no route back, source not resolved, no address on the port). */
    public long icmpErrorsUnsent()
    {
        return icmpErrorsUnsent;
    }

    /** @return ARP replies and neighbour advertisements sent. */
    public long repliesSent()
    {
        return repliesSent;
    }

    @Override
    public String roleName()
    {
        return "router";
    }

    /** Reads the clock (once per duty cycle); retransmits requests and times out unresolved neighbours. */
    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        if (pending.inUse() == 0 || nowNs - nextScanNs < 0)
        {
            return 0;
        }
        nextScanNs = nowNs + config.retransmitNs() / 10;
        return resolveSlowPath();
    }

    private int resolveSlowPath()
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
                solicit(entry);
            }
        }
        return work;
    }

    /** A frame from port {@code port}'s ingress sink ({@link #ingress}); the fabric thread only. */
    @Override
    public int onIngress(
        final int in, final DirectBuffer buffer, final int offset, final int length, final int flags,
        final int gsoSize, final int gsoType)
    {
        offered++;
        final PortCounters portCounters = ports.counters(in);
        if (length < 14 || offset < 0 || offset + length > buffer.capacity() || length > MAX_FRAME)
        {
            return drop(in, PortDropReason.RUNT);
        }
        portCounters.add(PortCounters.RX_FRAMES, 1);
        portCounters.add(PortCounters.RX_BYTES, length);
        final int etherType = buffer.getShort(offset + 12, BIG_ENDIAN) & 0xFFFF;
        final long destination = mac(buffer, offset);
        if (etherType == ETHERTYPE_ARP)
        {
            return arp(in, buffer, offset, length);
        }
        if (etherType == ETHERTYPE_IPV4)
        {
            if (destination != macs[in])
            {
                return drop(in, (destination & 0x0100_0000_0000L) != 0 ?
                    PortDropReason.NOT_ROUTABLE : PortDropReason.NOT_OUR_MAC);
            }
            return forward4(in, buffer, offset, length, flags, gsoSize, gsoType);
        }
        if (etherType == ETHERTYPE_IPV6)
        {
            return ipv6(in, buffer, offset, length, flags, gsoSize, gsoType, destination);
        }
        return drop(in, etherType == 0x8100 ? PortDropReason.VLAN_TAGGING : PortDropReason.NOT_ROUTABLE);
    }

    private int drop(final int in, final int reason)
    {
        ports.counters(in).rxDropped(reason);
        drops[reason - PortDropReason.FIRST]++;
        return reason;
    }

    private int forward4(
        final int in, final DirectBuffer buffer, final int offset, final int length, final int flags,
        final int gsoSize, final int gsoType)
    {
        if (length < 34)
        {
            return drop(in, PortDropReason.MALFORMED);
        }
        final int versionIhl = buffer.getByte(offset + 14) & 0xFF;
        final int totalLength = buffer.getShort(offset + 16, BIG_ENDIAN) & 0xFFFF;
        if (versionIhl >>> 4 != 4 || (versionIhl & 0xF) < 5 || 14 + totalLength > length ||
            totalLength < (versionIhl & 0xF) * 4)
        {
            return drop(in, PortDropReason.MALFORMED);
        }
        final int source = buffer.getInt(offset + 26, BIG_ENDIAN);
        final int destination = buffer.getInt(offset + 30, BIG_ENDIAN);
        if (isOwnAddress4(destination))
        {
            return drop(in, PortDropReason.TO_ROUTER);
        }
        final int firstOctet = destination >>> 24;
        if (firstOctet >= 224 || firstOctet == 0 || firstOctet == 127 || source >>> 24 == 127 ||
            (source >>> 24) >= 224)
        {
            return drop(in, PortDropReason.NOT_ROUTABLE);
        }
        final int ttl = buffer.getByte(offset + 22) & 0xFF;
        if (ttl <= 1)
        {
            timeExceeded4(in, buffer, offset, source);
            return drop(in, PortDropReason.TTL_EXCEEDED);
        }
        final int route = routes.lookup4(destination);
        if (route == RouteTable.NO_ROUTE)
        {
            return drop(in, PortDropReason.NO_ROUTE);
        }
        work.putBytes(0, buffer, offset, length);
        decrementTtl4(work, 14);
        final int out = routes.port4(route);
        final int nextHop = routes.nextHop4(route, destination);
        return resolveAndSend(in, out, NeighbourTable.IPV4_HI, nextHop & 0xFFFF_FFFFL, length, flags, gsoSize, gsoType);
    }

    /** Decrements the TTL of the IPv4 header at {@code ip} and updates its checksum (RFC 1624 eqn. 3). */
    static void decrementTtl4(final UnsafeBuffer frame, final int ip)
    {
        final int oldWord = frame.getShort(ip + 8, BIG_ENDIAN) & 0xFFFF;
        final int newWord = oldWord - 0x0100;
        frame.putByte(ip + 8, (byte)(newWord >>> 8));
        final int checksum = frame.getShort(ip + 10, BIG_ENDIAN) & 0xFFFF;
        int sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + newWord;
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        frame.putShort(ip + 10, (short)~sum, BIG_ENDIAN);
    }

    private boolean isOwnAddress4(final int address)
    {
        for (int i = 0; i < ports.size(); i++)
        {
            if (address4[i] == address && address != 0)
            {
                return true;
            }
        }
        return false;
    }

    private boolean isOwnAddress6(final long hi, final long lo)
    {
        for (int i = 0; i < ports.size(); i++)
        {
            if ((addressHi6[i] == hi && addressLo6[i] == lo && (hi | lo) != NO_ADDRESS) ||
                (hi == LINK_LOCAL_HI && lo == linkLocalLo[i]))
            {
                return true;
            }
        }
        return false;
    }

    private int ipv6(
        final int in, final DirectBuffer buffer, final int offset, final int length, final int flags,
        final int gsoSize, final int gsoType, final long destinationMac)
    {
        if (length < 54)
        {
            return drop(in, PortDropReason.MALFORMED);
        }
        final int payloadLength = buffer.getShort(offset + 18, BIG_ENDIAN) & 0xFFFF;
        if ((buffer.getByte(offset + 14) & 0xF0) != 0x60 || 54 + payloadLength > length)
        {
            return drop(in, PortDropReason.MALFORMED);
        }
        final int next = buffer.getByte(offset + 20) & 0xFF;
        if (next == NeighbourMessages.ICMPV6 && payloadLength >= 4)
        {
            final int type = buffer.getByte(offset + 54) & 0xFF;
            if (type >= 133 && type <= 137)
            {
                return ndp(in, buffer, offset, offset + 54 + payloadLength, type);
            }
        }
        if (destinationMac != macs[in])
        {
            return drop(in, (destinationMac & 0x0100_0000_0000L) != 0 ?
                PortDropReason.NOT_ROUTABLE : PortDropReason.NOT_OUR_MAC);
        }
        final long sourceHi = buffer.getLong(offset + 22, BIG_ENDIAN);
        final long destinationHi = buffer.getLong(offset + 38, BIG_ENDIAN);
        final long destinationLo = buffer.getLong(offset + 46, BIG_ENDIAN);
        if (isOwnAddress6(destinationHi, destinationLo))
        {
            return drop(in, PortDropReason.TO_ROUTER);
        }
        if ((destinationHi >>> 56) == 0xFF || isLinkLocal(destinationHi) || isLinkLocal(sourceHi) ||
            (sourceHi >>> 56) == 0xFF || (destinationHi == 0 && (destinationLo >>> 1) == 0))
        {
            return drop(in, PortDropReason.NOT_ROUTABLE);
        }
        final int hopLimit = buffer.getByte(offset + 21) & 0xFF;
        if (hopLimit <= 1)
        {
            timeExceeded6(in, buffer, offset, sourceHi, buffer.getLong(offset + 30, BIG_ENDIAN));
            return drop(in, PortDropReason.TTL_EXCEEDED);
        }
        final int route = routes.lookup6(destinationHi, destinationLo);
        if (route == RouteTable.NO_ROUTE)
        {
            return drop(in, PortDropReason.NO_ROUTE);
        }
        work.putBytes(0, buffer, offset, length);
        work.putByte(21, (byte)(hopLimit - 1));
        final int out = routes.port6(route);
        final boolean via = routes.hasVia6(route);
        return resolveAndSend(in, out, via ? routes.viaHi6(route) : destinationHi,
            via ? routes.viaLo6(route) : destinationLo, length, flags, gsoSize, gsoType);
    }

    /**
     * Sends ICMP time exceeded (RFC 792: type 11, code 0, the IP header + 8 bytes of the dropped packet) to its
     * source, from the ingress port's address, when the source's next hop is already resolved (an error never waits).
     */
    private void timeExceeded4(final int in, final DirectBuffer buffer, final int offset, final int source)
    {
        final int ihl = (buffer.getByte(offset + 14) & 0xF) * 4;
        final boolean icmpError = buffer.getByte(offset + 23) == 1 &&
            (buffer.getShort(offset + 16, BIG_ENDIAN) & 0xFFFF) > ihl &&
            buffer.getByte(offset + 14 + ihl) != 8 && buffer.getByte(offset + 14 + ihl) != 0;
        final boolean laterFragment = (buffer.getShort(offset + 20, BIG_ENDIAN) & 0x1FFF) != 0;
        final int route = routes.lookup4(source);
        if (address4[in] == 0 || route == RouteTable.NO_ROUTE || icmpError || laterFragment)
        {
            // RFC 1812 4.3.2.7: never about an ICMP error or a non-initial fragment
            icmpErrorsUnsent++;
            return;
        }
        final int quoted = Math.min(ihl + 8, buffer.getShort(offset + 16, BIG_ENDIAN) & 0xFFFF);
        final int total = 20 + 8 + quoted;
        control.putBytes(14 + 28, buffer, offset + 14, quoted);
        control.putShort(12, (short)ETHERTYPE_IPV4, BIG_ENDIAN);
        control.putInt(14, 0x4500_0000 | total, BIG_ENDIAN);
        control.putInt(18, 0);
        control.putInt(22, (64 << 24) | (1 << 16), BIG_ENDIAN);
        control.putInt(26, address4[in], BIG_ENDIAN);
        control.putInt(30, source, BIG_ENDIAN);
        control.putShort(24, (short)~GuestStack.fold(GuestStack.sum(control, 14, 20, 0)), BIG_ENDIAN);
        control.putInt(34, 11 << 24, BIG_ENDIAN);
        control.putInt(38, 0);
        control.putShort(36, (short)~GuestStack.fold(GuestStack.sum(control, 34, 8 + quoted, 0)), BIG_ENDIAN);
        sendError(routes.port4(route), NeighbourTable.IPV4_HI, routes.nextHop4(route, source) & 0xFFFF_FFFFL,
            14 + total);
    }

    /** ICMPv6 time exceeded (RFC 4443: type 3, code 0, the IPv6 header + 8 bytes), like {@link #timeExceeded4}. */
    private void timeExceeded6(
        final int in, final DirectBuffer buffer, final int offset, final long sourceHi, final long sourceLo)
    {
        final int payloadLength = buffer.getShort(offset + 18, BIG_ENDIAN) & 0xFFFF;
        final boolean icmpError = buffer.getByte(offset + 20) == NeighbourMessages.ICMPV6 && payloadLength > 0 &&
            (buffer.getByte(offset + 54) & 0x80) == 0;
        final int route = routes.lookup6(sourceHi, sourceLo);
        if ((addressHi6[in] | addressLo6[in]) == NO_ADDRESS || route == RouteTable.NO_ROUTE || icmpError)
        {
            // RFC 4443 2.4 (e): never about an ICMPv6 error
            icmpErrorsUnsent++;
            return;
        }
        final int quoted = 40 + Math.min(8, payloadLength);
        control.putBytes(14 + 48, buffer, offset + 14, quoted);
        control.putShort(12, (short)ETHERTYPE_IPV6, BIG_ENDIAN);
        control.putInt(14, 0x6000_0000, BIG_ENDIAN);
        control.putShort(18, (short)(8 + quoted), BIG_ENDIAN);
        control.putByte(20, (byte)NeighbourMessages.ICMPV6);
        control.putByte(21, (byte)64);
        control.putLong(22, addressHi6[in], BIG_ENDIAN);
        control.putLong(30, addressLo6[in], BIG_ENDIAN);
        control.putLong(38, sourceHi, BIG_ENDIAN);
        control.putLong(46, sourceLo, BIG_ENDIAN);
        control.putInt(54, 3 << 24, BIG_ENDIAN);
        control.putInt(58, 0);
        final long pseudo = GuestStack.sum(control, 22, 32, 0) + 8 + quoted + NeighbourMessages.ICMPV6;
        control.putShort(56, (short)~GuestStack.fold(GuestStack.sum(control, 54, 8 + quoted, pseudo)), BIG_ENDIAN);
        final boolean via = routes.hasVia6(route);
        sendError(routes.port6(route), via ? routes.viaHi6(route) : sourceHi, via ? routes.viaLo6(route) : sourceLo,
            14 + 40 + 8 + quoted);
    }

    /** Sends the ICMP error in {@link #control} when its next hop is resolved; else nothing (counted either way). */
    private void sendError(final int out, final long hi, final long lo, final int length)
    {
        final int entry = neighbours.find(out, hi, lo);
        if (entry == NeighbourTable.NONE || neighbours.mac(entry) == NeighbourTable.NO_MAC ||
            nowNs - neighbours.confirmedNs(entry) >= config.reachableNs())
        {
            icmpErrorsUnsent++;
            return;
        }
        NeighbourMessages.putMac(control, 0, neighbours.mac(entry));
        NeighbourMessages.putMac(control, 6, macs[out]);
        if (edge.send(ports.port(out), ports.counters(out), control, 0, length, 14, 0, 0, 0))
        {
            icmpErrorsSent++;
        }
    }

    private static boolean isLinkLocal(final long hi)
    {
        return (hi & 0xFFC0_0000_0000_0000L) == LINK_LOCAL_HI;
    }

    /** Sends the frame in {@link #work} out of {@code out} to next hop {@code (hi, lo)}, or queues it meanwhile. */
    private int resolveAndSend(
        final int in, final int out, final long hi, final long lo, final int length, final int flags,
        final int gsoSize, final int gsoType)
    {
        NeighbourMessages.putMac(work, 6, macs[out]);
        final int entry = neighbours.findOrAdd(out, hi, lo);
        if (entry == NeighbourTable.NONE)
        {
            return drop(in, PortDropReason.NEIGHBOUR_TABLE_FULL);
        }
        final long mac = neighbours.mac(entry);
        if (mac != NeighbourTable.NO_MAC)
        {
            if (nowNs - neighbours.confirmedNs(entry) < config.reachableNs())
            {
                NeighbourMessages.putMac(work, 0, mac);
                send(out, work, length, flags, gsoSize, gsoType);
                return 0;
            }
            neighbours.invalidate(entry);
        }
        if (neighbours.pendingCount(entry) >= config.pendingPerNeighbour())
        {
            return drop(in, PortDropReason.NEIGHBOUR_QUEUE_FULL);
        }
        final int slot = pending.take(work, 0, length, flags, gsoSize, gsoType);
        if (slot == PendingFrames.END)
        {
            return drop(in, PortDropReason.NEIGHBOUR_QUEUE_FULL);
        }
        neighbours.pendingAppend(entry, slot, pending);
        if (neighbours.requests(entry) == 0)
        {
            solicit(entry);
        }
        return 0;
    }

    private void send(
        final int out, final UnsafeBuffer frame, final int length, final int flags, final int gsoSize,
        final int gsoType)
    {
        if (edge.send(ports.port(out), ports.counters(out), frame, 0, length, 14, flags, gsoSize, gsoType))
        {
            forwarded++;
        }
        else
        {
            egressDrops++;
        }
    }

    /** Sends an ARP request or neighbour solicitation for {@code entry} out of its port. */
    private void solicit(final int entry)
    {
        final int out = neighbours.port(entry);
        final int length;
        if (neighbours.isIpv4(entry))
        {
            length = NeighbourMessages.arpRequest(control, macs[out], address4[out], (int)neighbours.lo(entry));
        }
        else
        {
            final boolean global = (addressHi6[out] | addressLo6[out]) != NO_ADDRESS;
            length = NeighbourMessages.neighbourSolicitation(control, macs[out],
                global ? addressHi6[out] : LINK_LOCAL_HI, global ? addressLo6[out] : linkLocalLo[out],
                neighbours.hi(entry), neighbours.lo(entry));
        }
        neighbours.requested(entry, nowNs);
        requestsSent++;
        edge.send(ports.port(out), ports.counters(out), control, 0, length, 14, 0, 0, 0);
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
            NeighbourMessages.putMac(frame, 0, mac);
            send(out, frame, pending.length(slot), pending.flags(slot), pending.gsoSize(slot), pending.gsoType(slot));
            slot = pending.release(slot);
        }
    }

    private void dropPending(final int entry)
    {
        int slot = neighbours.pendingHead(entry);
        neighbours.pendingClear(entry);
        while (slot != PendingFrames.END)
        {
            drops[PortDropReason.NEIGHBOUR_UNREACHABLE - PortDropReason.FIRST]++;
            ports.counters(neighbours.port(entry)).txDropped(PortDropReason.NEIGHBOUR_UNREACHABLE);
            slot = pending.release(slot);
        }
    }

    private int arp(final int in, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < NeighbourMessages.ARP_LENGTH || buffer.getShort(offset + 14, BIG_ENDIAN) != 1 ||
            buffer.getShort(offset + 16, BIG_ENDIAN) != ETHERTYPE_IPV4 || buffer.getByte(offset + 18) != 6 ||
            buffer.getByte(offset + 19) != 4)
        {
            return drop(in, PortDropReason.MALFORMED);
        }
        final int operation = buffer.getShort(offset + 20, BIG_ENDIAN);
        final long senderMac = mac(buffer, offset + 22);
        final int senderIp = buffer.getInt(offset + 28, BIG_ENDIAN);
        final int targetIp = buffer.getInt(offset + 38, BIG_ENDIAN);
        if (operation != 1 && operation != 2)
        {
            return drop(in, PortDropReason.MALFORMED);
        }
        final boolean answer = operation == 1 && senderIp != targetIp && answersFor4(in, targetIp);
        if (senderIp != 0 && (senderMac & 0x0100_0000_0000L) == 0)
        {
            learn(answer ? neighbours.findOrAdd(in, NeighbourTable.IPV4_HI, senderIp & 0xFFFF_FFFFL) :
                neighbours.find(in, NeighbourTable.IPV4_HI, senderIp & 0xFFFF_FFFFL), senderMac);
        }
        if (answer)
        {
            final int replyLength = NeighbourMessages.arpReply(control, macs[in], targetIp, senderMac, senderIp);
            repliesSent++;
            edge.send(ports.port(in), ports.counters(in), control, 0, replyLength, 14, 0, 0, 0);
        }
        local++;
        return 0;
    }

    private void learn(final int entry, final long mac)
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

    /** Whether the router answers ARP on port {@code in} for {@code target}: its own, or routed out of another port. */
    private boolean answersFor4(final int in, final int target)
    {
        if (target == 0)
        {
            return false;
        }
        if (address4[in] == target)
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

    private int ndp(final int in, final DirectBuffer buffer, final int offset, final int end, final int type)
    {
        if (buffer.getByte(offset + 21) != (byte)255 || buffer.getByte(offset + 55) != 0)
        {
            return drop(in, PortDropReason.NOT_ROUTABLE);
        }
        if (type != NeighbourMessages.NEIGHBOUR_SOLICITATION && type != NeighbourMessages.NEIGHBOUR_ADVERTISEMENT)
        {
            // router/redirect messages: this router sends no advertisements and takes no redirects
            return drop(in, PortDropReason.NOT_ROUTABLE);
        }
        if (end - offset < 78)
        {
            return drop(in, PortDropReason.MALFORMED);
        }
        final long targetHi = buffer.getLong(offset + 62, BIG_ENDIAN);
        final long targetLo = buffer.getLong(offset + 70, BIG_ENDIAN);
        if (type == NeighbourMessages.NEIGHBOUR_ADVERTISEMENT)
        {
            long mac = NeighbourMessages.linkLayerOption(buffer, offset, end, NeighbourMessages.TARGET_LINK_LAYER);
            if (mac < 0)
            {
                mac = mac(buffer, offset + 6);
            }
            learn(neighbours.find(in, targetHi, targetLo), mac);
            local++;
            return 0;
        }
        final long sourceHi = buffer.getLong(offset + 22, BIG_ENDIAN);
        final long sourceLo = buffer.getLong(offset + 30, BIG_ENDIAN);
        final boolean unspecified = (sourceHi | sourceLo) == 0;
        final boolean own = (targetHi == addressHi6[in] && targetLo == addressLo6[in] && (targetHi | targetLo) != 0) ||
            (targetHi == LINK_LOCAL_HI && targetLo == linkLocalLo[in]);
        final boolean answer = own || answersProxy6(in, targetHi, targetLo);
        final long senderMac = NeighbourMessages.linkLayerOption(buffer, offset, end, NeighbourMessages.SOURCE_LINK_LAYER);
        if (!unspecified && senderMac >= 0)
        {
            learn(answer ? neighbours.findOrAdd(in, sourceHi, sourceLo) : neighbours.find(in, sourceHi, sourceLo),
                senderMac);
        }
        if (answer)
        {
            final long destinationMac = senderMac >= 0 ? senderMac : mac(buffer, offset + 6);
            final int flags = NeighbourMessages.NA_ROUTER | (unspecified ? 0 : NeighbourMessages.NA_SOLICITED) |
                (own ? NeighbourMessages.NA_OVERRIDE : 0);
            final int length = NeighbourMessages.neighbourAdvertisement(control, macs[in],
                unspecified ? 0x3333_0000_0001L : destinationMac,
                own ? targetHi : LINK_LOCAL_HI, own ? targetLo : linkLocalLo[in],
                unspecified ? 0xFF02_0000_0000_0000L : sourceHi, unspecified ? 1 : sourceLo, targetHi, targetLo, flags);
            repliesSent++;
            edge.send(ports.port(in), ports.counters(in), control, 0, length, 14, 0, 0, 0);
        }
        local++;
        return 0;
    }

    private boolean answersProxy6(final int in, final long targetHi, final long targetLo)
    {
        if ((targetHi >>> 56) == 0xFF || isLinkLocal(targetHi) || (targetHi | targetLo) == 0)
        {
            return false;
        }
        final int route = routes.lookup6(targetHi, targetLo);
        return route != RouteTable.NO_ROUTE && routes.port6(route) != in;
    }
}

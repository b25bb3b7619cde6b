package io.pvnet.engine.router;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.IcmpHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.bridge.EgressEdge;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortTable;
import io.pvnet.engine.port.SwitchFabric;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;



/**
 * Routed mode, the alternative to the {@link io.pvnet.engine.bridge.Bridge}: an IPv4/IPv6 router between L3
 * {@link Port}s. Each port has its own MAC and optionally an IPv4 and an IPv6 address with a prefix (a connected
 * route each) plus its EUI-64 link-local address; static routes ({@link #route4}, {@link #route6}) add gateways.
 * <p>
 * The router is the forwarding half: for each frame addressed to a port's MAC it checks the IP header, drops what
 * must not be forwarded, looks the destination up (longest prefix, {@link RouteTable}), decrements TTL / hop limit
 * (IPv4 header checksum updated incrementally, RFC 1624), rewrites both MACs and sends it through the
 * {@link EgressEdge} (offload at the edge: sums completed and TSO split only for ports that cannot). A TTL running
 * out is answered by {@link IcmpErrors}. The neighbour half, {@link NeighbourProtocol}, takes every ARP and NDP
 * frame: it answers for the router's own addresses and, as a proxy, for any address routed out of another port, and
 * resolves next hops ({@link NeighbourTable}); frames wait in {@link PendingFrames} meanwhile and are dropped with a
 * reason when the queue is full or nobody answers. Header layouts come from {@code io.pvnet.checksum.packet}.
 * <p>
 * Accounting: {@code offered = forwarded + local + drops + egressDrops + pending} ({@link #offered} etc.): every frame
 * handed to an ingress sink is forwarded (an egress port took it), consumed (ARP/NDP), dropped by the router with a
 * {@link PortDropReason} (also counted on the ingress port's rx side), refused at egress (reason on the egress port's
 * tx side), or still waiting for its next hop ({@link RouterCounters}).
 * <p>
 * Threading: single-threaded, like the bridge: every ingress sink and {@link #doWork} on one thread (run the router
 * and the agents of its ports in one {@link org.agrona.concurrent.CompositeAgent}); configure before it starts. A
 * port's {@code onFrame} must not call back into the router. Nothing allocates per frame.
 * <p>
 * The router's own addresses per port (MAC, IPv4, IPv6, link-local) are {@link RouterAddresses}; the per-port
 * bookkeeping is the {@link PortTable} Bridge and Router share.
 * <p>
 * The forwarding pipeline itself (checks, lookup, TTL, neighbour resolution) is {@link IpForwarding}; the counters
 * of the accounting identity are {@link RouterCounters}. This class is what an embedder holds: configuration, the
 * ingress dispatch by EtherType, the way out through the {@link EgressEdge}, the duty cycle and the counters' accessors.
 */
public final class Router implements SwitchFabric, io.pvnet.engine.SwitchCounters.RouterTotals
{
    private static final int MAX_FRAME = IpForwarding.MAX_FRAME;
    private static final int IP = IpForwarding.IP;

    private final RouterConfig config;
    private final PortTable ports;
    private final RouterAddresses addresses;
    private final RouteTable routes;
    private final NeighbourTable neighbours;
    private final PendingFrames pending;
    private final EgressEdge edge;
    /** Describes the frames the router writes itself: complete sums, no GSO (router thread only). */
    private final FrameMetadata control = new FrameMetadata();
    private final NanoClock clock;
    private final NeighbourProtocol neighbourProtocol;
    private final IcmpErrors icmpErrors;
    private final IpForwarding forwarding;
    private final RouterCounters counters;
    private long nowNs;
    private long nextScanNs;

    /**
     * A router with no ports; every table and buffer is allocated here, nothing after.
     *
     * @param config sizes, timers, clock and the router's own software offload.
     */
    public Router(final RouterConfig config)
    {
        this.config = config;
        ports = new PortTable(this, config.maxPorts());
        addresses = new RouterAddresses(config.maxPorts());
        routes = new RouteTable(config.maxRoutes());
        neighbours = new NeighbourTable(config.maxNeighbours());
        pending = new PendingFrames(config.pendingFrames(), MAX_FRAME);
        edge = new EgressEdge(config.offload());
        clock = config.clock();
        nowNs = clock.nanoTime();
        neighbourProtocol = new NeighbourProtocol(this, config, routes, neighbours, pending);
        icmpErrors = new IcmpErrors(this, config, routes, neighbours);
        counters = new RouterCounters(ports);
        forwarding = new IpForwarding(
            this, config, addresses, routes, neighbours, pending, counters, neighbourProtocol, icmpErrors);
    }

    /**
     * Adds a port with its MAC (unicast, 48 bits). Before the router thread starts.
     *
     * @param port the port; the router calls its {@code onFrame} on the router thread.
     * @param mac  the port's own MAC: the router answers ARP/NDP with it and routes frames addressed to it.
     * @return the port's index; its ingress sink is {@link #ingress}{@code (index)}.
     * @throws IllegalStateException    when {@code maxPorts} ports are attached.
     * @throws IllegalArgumentException if {@code mac} is not a unicast 48-bit MAC.
     */
    public int attach(final Port port, final long mac)
    {
        if (ports.size() == ports.capacity())
        {
            throw new IllegalStateException("maxPorts=" + ports.capacity() + " reached, cannot attach " + port.name());
        }
        RouterAddresses.checkMac(mac);
        final int index = ports.add(port);
        addresses.port(index, mac);
        return index;
    }

    /**
     * Gives port {@code index} an IPv4 address and adds its connected route. Configuration time.
     *
     * @param index   a port index from {@link #attach}.
     * @param address the address as an int (first octet most significant), not 0.
     * @param prefix  the connected network's prefix length, {@code 1..32}.
     * @throws IllegalArgumentException if the address is 0 or the prefix out of range.
     */
    public void address4(final int index, final int address, final int prefix)
    {
        checkPort(index);
        addresses.address4(index, address, prefix);
        routes.add4(address, prefix, index, 0);
    }

    /**
     * Gives port {@code index} an IPv6 address ({@code hi}, {@code lo}) and adds its connected route. Configuration
     * time.
     *
     * @param index  a port index from {@link #attach}.
     * @param hi     the address's bytes 0..7 (big-endian).
     * @param lo     the address's bytes 8..15.
     * @param prefix the connected network's prefix length, {@code 1..128}.
     * @throws IllegalArgumentException if the address is not unicast or the prefix out of range.
     */
    public void address6(final int index, final long hi, final long lo, final int prefix)
    {
        checkPort(index);
        addresses.address6(index, hi, lo, prefix);
        routes.add6(hi, lo, prefix, index, false, 0, 0);
    }

    /**
     * Adds a static IPv4 route out of port {@code index}, via {@code gateway} (0: on-link). Configuration time.
     *
     * @param network the destination network, as an int; {@code (0, 0)} is the default route.
     * @param prefix  its prefix length, {@code 0..32}.
     * @param index   a port index from {@link #attach}.
     * @param gateway the next hop's address, or 0 when the destinations are on the port's link.
     */
    public void route4(final int network, final int prefix, final int index, final int gateway)
    {
        checkPort(index);
        routes.add4(network, prefix, index, gateway);
    }

    /**
     * Adds a static IPv6 route out of port {@code index}, via a gateway when {@code hasVia}. Configuration time.
     *
     * @param hi     the destination network's bytes 0..7.
     * @param lo     the destination network's bytes 8..15.
     * @param prefix its prefix length, {@code 0..128}.
     * @param index  a port index from {@link #attach}.
     * @param hasVia whether the route has a gateway (else its destinations are on the port's link).
     * @param viaHi  the gateway's bytes 0..7, when {@code hasVia}.
     * @param viaLo  the gateway's bytes 8..15, when {@code hasVia}.
     */
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

    /**
     * {@return where port {@code index} hands the frames it receives}
     *
     * @param index a port index from {@link #attach}.
     */
    public FrameSink ingress(final int index)
    {
        return ports.ingress(index);
    }

    @Override
    public PortTable ports()
    {
        return ports;
    }

    /** {@return how many ports are attached} */
    public int portCount()
    {
        return ports.size();
    }

    /**
     * {@return the port attached at {@code index}}
     *
     * @param index a port index from {@link #attach}.
     */
    public Port port(final int index)
    {
        return ports.port(index);
    }

    /**
     * {@return the MAC port {@code index} was attached with}
     *
     * @param index a port index from {@link #attach}.
     */
    public long portMac(final int index)
    {
        return addresses.mac(index);
    }

    /**
     * {@return the router's counters for port {@code index} (rx: what came in and router drops; tx: egress)}
     *
     * @param index a port index from {@link #attach}.
     */
    public PortCounters counters(final int index)
    {
        return ports.counters(index);
    }

    /** {@return offered, forwarded, local, dropped (with each reason that occurred) and pending frames, as text} */
    @Override
    public String totals()
    {
        return counters.totals(pending());
    }

    /** {@return the static and connected routes (read it on the router thread, or before it starts)} */
    public RouteTable routes()
    {
        return routes;
    }

    /** {@return the neighbour cache (router thread only)} */
    public NeighbourTable neighbours()
    {
        return neighbours;
    }

    /** {@return the egress edge that finishes offloads for ports that cannot; its counters say how often} */
    public EgressEdge edge()
    {
        return edge;
    }

    /** {@return frames handed to the router's ingress sinks} */
    @Override
    public long offered()
    {
        return counters.offered();
    }

    /** {@return frames an egress port took (after waiting for resolution or not)} */
    @Override
    public long forwarded()
    {
        return counters.forwarded();
    }

    /** {@return ARP and NDP frames the router consumed} */
    @Override
    public long local()
    {
        return counters.local();
    }

    /**
     * {@return frames the router dropped for {@code reason}}
     *
     * @param reason a {@link PortDropReason} code; others give 0.
     */
    @Override
    public long drops(final int reason)
    {
        return counters.drops(reason);
    }

    /** {@return all frames the router dropped itself} */
    public long dropsTotal()
    {
        return counters.dropsTotal();
    }

    /** {@return frames an egress port refused (reasons on that port's tx counters)} */
    @Override
    public long egressDrops()
    {
        return counters.egressDrops();
    }

    /** {@return frames waiting for a next hop now} */
    @Override
    public int pending()
    {
        return pending.inUse();
    }

    /** {@return ARP requests and neighbour solicitations sent} */
    public long requestsSent()
    {
        return neighbourProtocol.requestsSent();
    }

    /** {@return ICMP / ICMPv6 time-exceeded messages sent} */
    public long icmpErrorsSent()
    {
        return icmpErrors.sent();
    }

    /** {@return time-exceeded messages not sent (no route back, source not resolved, no address on the port)} */
    public long icmpErrorsUnsent()
    {
        return icmpErrors.unsent();
    }

    /** {@return ARP replies and neighbour advertisements sent} */
    public long repliesSent()
    {
        return neighbourProtocol.repliesSent();
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
        return neighbourProtocol.retransmit(nowNs);
    }

    /**
     * When {@link #doWork()} next has a request to retransmit or a neighbour to time out: the router thread's idle
     * strategy sleeps no longer (nothing else wakes it for them). Router thread.
     *
     * @param nowNs the clock's time now.
     * @return nanoseconds until then (0 or less: now), {@link Long#MAX_VALUE} with no frame waiting for a neighbour.
     */
    public long nanosToNextDue(final long nowNs)
    {
        return pending.inUse() == 0 ? Long.MAX_VALUE : nextScanNs - nowNs;
    }

    /** A frame from port {@code port}'s ingress sink ({@link #ingress}); the fabric thread only. */
    @Override
    public int onIngress(
        final int in, final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        counters.countOffered();
        final PortCounters portCounters = ports.counters(in);
        if (length < EthernetHeader.LENGTH || offset < 0 || offset + length > buffer.capacity() || length > MAX_FRAME)
        {
            return counters.drop(in, PortDropReason.RUNT);
        }
        portCounters.add(PortCounters.RX_FRAMES, 1);
        portCounters.add(PortCounters.RX_BYTES, length);
        final int etherType = EthernetHeader.etherType(buffer, offset);
        final long destination = EthernetHeader.destination(buffer, offset);
        if (etherType == EthernetHeader.ETHERTYPE_ARP)
        {
            return consumed(in, neighbourProtocol.arp(in, buffer, offset, length, nowNs));
        }
        if (etherType == EthernetHeader.ETHERTYPE_IPV4)
        {
            if (destination != addresses.mac(in))
            {
                return notOurMac(in, destination);
            }
            return forwarding.forward4(in, buffer, offset, length, metadata, nowNs);
        }
        if (etherType == EthernetHeader.ETHERTYPE_IPV6)
        {
            return ipv6(in, buffer, offset, length, metadata, destination);
        }
        return counters.drop(in, etherType == EthernetHeader.ETHERTYPE_VLAN ?
            PortDropReason.VLAN_TAGGING : PortDropReason.NOT_ROUTABLE);
    }

    /** Counts an ARP/NDP frame the neighbour half took, or the reason it dropped it. */
    private int consumed(final int in, final int status)
    {
        if (status != NeighbourProtocol.CONSUMED)
        {
            return counters.drop(in, status);
        }
        counters.countLocal();
        return 0;
    }

    private int notOurMac(final int in, final long destination)
    {
        return counters.drop(in, EthernetHeader.isGroup(destination) ?
            PortDropReason.NOT_ROUTABLE : PortDropReason.NOT_OUR_MAC);
    }

    /** A frame that waited for port {@code out}'s next hop is dropped for {@code reason}. */
    void dropQueued(final int out, final int reason)
    {
        counters.dropQueued(out, reason);
    }

    /** An IPv6 frame: NDP goes to the neighbour half (any destination MAC), the rest is forwarded if it is ours. */
    private int ipv6(
        final int in, final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata,
        final long destinationMac)
    {
        final int ip = offset + IP;
        if (length < IP + Ipv6Header.LENGTH)
        {
            return counters.drop(in, PortDropReason.MALFORMED);
        }
        final int payloadLength = Ipv6Header.payloadLength(buffer, ip);
        if (Ipv6Header.version(buffer, ip) != 6 || IP + Ipv6Header.LENGTH + payloadLength > length)
        {
            return counters.drop(in, PortDropReason.MALFORMED);
        }
        if (Ipv6Header.nextHeader(buffer, ip) == IpProtocol.ICMPV6 && payloadLength >= IcmpHeader.REST_OFFSET)
        {
            final int type = IcmpHeader.type(buffer, ip + Ipv6Header.LENGTH);
            if (type >= IcmpHeader.V6_ROUTER_SOLICITATION && type <= IcmpHeader.V6_REDIRECT)
            {
                return consumed(in, neighbourProtocol.ndp(
                    in, buffer, offset, ip + Ipv6Header.LENGTH + payloadLength, type, nowNs));
            }
        }
        if (destinationMac != addresses.mac(in))
        {
            return notOurMac(in, destinationMac);
        }
        return forwarding.forward6(in, buffer, offset, length, metadata, nowNs);
    }

    /** Sends a forwarded frame out of port {@code out}, counted forwarded or refused at egress. */
    void send(final int out, final UnsafeBuffer frame, final int length, final FrameMetadata metadata)
    {
        counters.countEgress(edge.send(ports.port(out), ports.counters(out), frame, 0, length, IP, metadata) == 0);
    }

    /** Sends a frame the router wrote itself (ARP, NDP, ICMP error) out of port {@code out}. @return whether taken. */
    boolean sendControl(final int out, final DirectBuffer frame, final int length)
    {
        return edge.send(ports.port(out), ports.counters(out), frame, 0, length, IP, control.set(0, 0, 0)) == 0;
    }

    /** @return the router's own addresses per port (for the neighbour half and the ICMP errors). */
    RouterAddresses addresses()
    {
        return addresses;
    }
}

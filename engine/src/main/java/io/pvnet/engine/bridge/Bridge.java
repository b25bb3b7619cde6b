package io.pvnet.engine.bridge;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortTable;
import io.pvnet.engine.port.SwitchFabric;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A learning Ethernet switch between {@link Port}s: learns source MACs per VLAN ({@link MacTable}, with aging),
 * forwards known unicast to the one port behind it, floods broadcast, multicast and unknown unicast to every other
 * port of the VLAN, applies 802.1Q access/trunk rules ({@link PortVlan}) adding or removing the tag per egress port,
 * and does offload at the edge: a frame with {@code CSUM_PARTIAL} or a GSO size goes to a port untouched when the
 * port declares it can finish it ({@link io.pvnet.engine.port.PortOffloads}), and through
 * {@link FrameOffload#finish} (checksum completed,
 * TSO split, oversize fragmented) only when it cannot. Frames too large for a port's MTU are split or fragmented when
 * they can be and counted as drops when they cannot.
 * <p>
 * Accounting, per port, in the bridge's own {@link PortCounters} ({@link #counters}): the {@code rx} side counts what
 * the port brought in and ingress drops by reason; the {@code tx} side counts every egress attempt as sent or dropped
 * by reason ({@code TX_OFFERED = TX_FRAMES + drops}), a split frame counting once.
 * <p>
 * Threading: single-threaded. Every ingress sink ({@link #ingress}) and {@link #doWork} must be called from one
 * thread, the bridge thread: run the bridge and the agents of the ports that feed it in one
 * {@link org.agrona.concurrent.CompositeAgent}. {@link #attach} before that thread starts. Nothing allocates per
 * frame.
 */
public final class Bridge implements SwitchFabric
{
    private static final int MAX_FRAME = 65535 + 18 + 64;

    private final PortTable ports;
    private final PortVlan[] vlans;
    private final MacTable table;
    private final NanoClock clock;
    private final long agingNs;
    private final EgressEdge edge;
    private final UnsafeBuffer taggedCopy =
        new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAME + HeaderParser.VLAN_TAG_LENGTH));
    private final UnsafeBuffer untaggedCopy = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAME));
    private long nowMs;
    private long nextAgingNs;

    private long floods;
    // the frame being switched, with its lazily made tagged/untagged variants
    private DirectBuffer frameBuffer;
    private int frameOffset;
    private int frameLength;
    /** The caller's metadata of the frame being switched: valid only during {@link #onIngress}. */
    private FrameMetadata frame;
    /** The metadata of a tagged or untagged variant whose checksum start moved with the tag (this thread only). */
    private final FrameMetadata movedFrame = new FrameMetadata();
    private boolean frameTagged;
    private int frameVlan;
    private int copyMade;

    /**
     * Creates a bridge with no ports; {@link #attach} adds them before it runs.
     * @param config MAC table size, aging, VLANs and the software offload for ports that cannot offload.
     */
    public Bridge(final BridgeConfig config)
    {
        ports = new PortTable(this, config.maxPorts());
        vlans = new PortVlan[config.maxPorts()];
        table = new MacTable(config.macTableEntries(), config.agingNs());
        clock = config.clock();
        agingNs = config.agingNs();
        edge = new EgressEdge(config.offload());
        final long now = clock.nanoTime();
        nowMs = now / 1_000_000L;
        nextAgingNs = now + agingNs / 2;
    }

    /**
     * Adds a port. Before the bridge thread starts.
     *
     * @param port the port; the bridge calls its {@code onFrame} on the bridge thread.
     * @param vlan the port's VLAN membership ({@link PortVlan#access} for an untagged bridge).
     * @return the port's index; its ingress sink is {@link #ingress}{@code (index)}.
     */
    public int attach(final Port port, final PortVlan vlan)
    {
        final int index = ports.add(port);
        vlans[index] = vlan;
        return index;
    }

    @Override
    public PortTable ports()
    {
        return ports;
    }

    /**
     * {@return where port {@code index} hands the frames it receives ({@link PortTable#ingress})}
     *
     * @param index a port index from {@link #attach}.
     */
    public FrameSink ingress(final int index)
    {
        return ports.ingress(index);
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
     * {@return the bridge's counters for port {@code index}} Readable from any thread.
     *
     * @param index a port index from {@link #attach}.
     */
    public PortCounters counters(final int index)
    {
        return ports.counters(index);
    }

    /** {@return the learned stations (read it on the bridge thread)} */
    public MacTable macTable()
    {
        return table;
    }

    /** {@return frames flooded (broadcast, multicast, unknown unicast)} */
    public long floods()
    {
        return floods;
    }

    /** {@return egress frames whose checksum the bridge completed in software} */
    public long softwareChecksums()
    {
        return edge.softwareChecksums();
    }

    /** {@return egress frames split (TSO) or fragmented in software} */
    public long softwareSplits()
    {
        return edge.softwareSplits();
    }

    /** {@return frames made by software splits} */
    public long softwareSegments()
    {
        return edge.softwareSegments();
    }

    /** {@return egress frames with CSUM_PARTIAL or GSO passed to a port that offloads them, untouched} */
    public long passedThroughOffloads()
    {
        return edge.passedThroughOffloads();
    }

    @Override
    public String roleName()
    {
        return "bridge";
    }

    /** Reads the clock (once per duty cycle) and ages the MAC table every half aging time. */
    @Override
    public int doWork()
    {
        final long now = clock.nanoTime();
        nowMs = now / 1_000_000L;
        if (now - nextAgingNs >= 0)
        {
            nextAgingNs = now + agingNs / 2;
            return table.age(nowMs);
        }
        return 0;
    }

    /** A frame from port {@code port}'s ingress sink ({@link #ingress}); the fabric thread only. */
    @Override
    public int onIngress(
        final int port, final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        final PortCounters portCounters = ports.counters(port);
        if (length < HeaderParser.ETHERNET_HEADER_LENGTH || offset < 0 || offset + length > buffer.capacity() ||
            length > MAX_FRAME)
        {
            return ingressDrop(portCounters, PortDropReason.RUNT);
        }
        final PortVlan portVlan = vlans[port];
        final boolean tagged =
            EthernetHeader.etherType(buffer, offset) == EthernetHeader.ETHERTYPE_VLAN;
        final int vlan;
        if (tagged)
        {
            if (length < HeaderParser.ETHERNET_HEADER_LENGTH + HeaderParser.VLAN_TAG_LENGTH)
            {
                return ingressDrop(portCounters, PortDropReason.RUNT);
            }
            if (!portVlan.isTrunk())
            {
                return ingressDrop(portCounters, PortDropReason.VLAN_TAGGING);
            }
            vlan = EthernetHeader.vlanTci(buffer, offset) & EthernetHeader.VLAN_ID_MASK;
            if (!portVlan.carries(vlan))
            {
                return ingressDrop(portCounters, PortDropReason.VLAN_INGRESS);
            }
        }
        else
        {
            vlan = portVlan.untaggedVlan();
            if (vlan == PortVlan.NO_NATIVE)
            {
                return ingressDrop(portCounters, PortDropReason.VLAN_TAGGING);
            }
        }
        portCounters.add(PortCounters.RX_FRAMES, 1);
        portCounters.add(PortCounters.RX_BYTES, length);

        final long source = EthernetHeader.source(buffer, offset);
        if ((source & 0x0100_0000_0000L) == 0)
        {
            table.learn(vlan, source, port, nowMs);
        }
        frameBuffer = buffer;
        frameOffset = offset;
        frameLength = length;
        frame = metadata;
        frameTagged = tagged;
        frameVlan = vlan;
        copyMade = 0;

        final long destination = EthernetHeader.destination(buffer, offset);
        if ((destination & 0x0100_0000_0000L) != 0)
        {
            flood(port, vlan);
            return 0;
        }
        final int target = table.lookup(vlan, destination, nowMs);
        if (target == MacTable.UNKNOWN)
        {
            flood(port, vlan);
            return 0;
        }
        if (target == port)
        {
            return ingressDrop(portCounters, PortDropReason.SAME_PORT);
        }
        egress(target);
        frameBuffer = null;
        return 0;
    }

    private static int ingressDrop(final PortCounters portCounters, final int reason)
    {
        portCounters.rxDropped(reason);
        return reason;
    }

    private void flood(final int ingressPort, final int vlan)
    {
        floods++;
        final int portCount = ports.size();
        for (int i = 0; i < portCount; i++)
        {
            if (i != ingressPort && vlans[i].carries(vlan))
            {
                egress(i);
            }
        }
        frameBuffer = null;
    }

    private void egress(final int index)
    {
        final boolean wantTag = vlans[index].tags(frameVlan);
        final DirectBuffer buffer;
        final int offset;
        final int length;
        if (wantTag == frameTagged)
        {
            buffer = frameBuffer;
            offset = frameOffset;
            length = frameLength;
        }
        else if (wantTag)
        {
            buffer = taggedCopy();
            offset = 0;
            length = frameLength + HeaderParser.VLAN_TAG_LENGTH;
        }
        else
        {
            buffer = untaggedCopy();
            offset = 0;
            length = frameLength - HeaderParser.VLAN_TAG_LENGTH;
        }
        final int l2Length = HeaderParser.ETHERNET_HEADER_LENGTH + (wantTag ? HeaderParser.VLAN_TAG_LENGTH : 0);
        final int checksumStart = frame.checksumStart();
        final FrameMetadata metadata = wantTag == frameTagged || checksumStart == FrameMetadata.UNKNOWN ? frame :
            movedFrame.copyFrom(frame).checksum(
                checksumStart + (wantTag ? HeaderParser.VLAN_TAG_LENGTH : -HeaderParser.VLAN_TAG_LENGTH),
                frame.checksumOffset());

        edge.send(ports.port(index), ports.counters(index), buffer, offset, length, l2Length, metadata);
    }

    private MutableDirectBuffer taggedCopy()
    {
        if ((copyMade & 1) == 0)
        {
            copyMade |= 1;
            taggedCopy.putBytes(0, frameBuffer, frameOffset, EthernetHeader.ETHER_TYPE_OFFSET);
            EthernetHeader.etherType(taggedCopy, 0, EthernetHeader.ETHERTYPE_VLAN);
            EthernetHeader.vlanTci(taggedCopy, 0, frameVlan);
            taggedCopy.putBytes(EthernetHeader.VLAN_ETHER_TYPE_OFFSET, frameBuffer,
                frameOffset + EthernetHeader.ETHER_TYPE_OFFSET, frameLength - EthernetHeader.ETHER_TYPE_OFFSET);
        }
        return taggedCopy;
    }

    private MutableDirectBuffer untaggedCopy()
    {
        if ((copyMade & 2) == 0)
        {
            copyMade |= 2;
            untaggedCopy.putBytes(0, frameBuffer, frameOffset, EthernetHeader.ETHER_TYPE_OFFSET);
            untaggedCopy.putBytes(EthernetHeader.ETHER_TYPE_OFFSET, frameBuffer,
                frameOffset + EthernetHeader.VLAN_ETHER_TYPE_OFFSET, frameLength - EthernetHeader.VLAN_ETHER_TYPE_OFFSET);
        }
        return untaggedCopy;
    }
}

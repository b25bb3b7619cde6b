package io.pvnet.engine.bridge;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortTable;
import io.pvnet.engine.port.SwitchFabric;
import io.pvnet.engine.port.vif.VifPort;
import org.agrona.DirectBuffer;

/**
 * A crossover cable: a two-port {@link SwitchFabric} that hands everything one port receives to the other, with no
 * learning, lookup or VLANs in between (a point-to-point link, as a veth pair). Two vifs plugged into one are two
 * guests wired back to back; a vif and a TAP give one guest a link to the host kernel. Like the bridge, it counts each
 * frame on both ports' {@link PortCounters} and finishes at the egress edge ({@link EgressEdge}) what the receiving port
 * cannot offload; unlike the bridge, it leaves the MTU to the receiving port (as a veth pair does: a vif backend
 * refuses an oversize frame with its reason), and a frame the receiving port refuses is refused to the sender with the
 * port's reason (for a vif, the receiving backend's {@code DropReason}, which the sending backend counts as its own).
 * <p>
 * Wiring two vifs, since a backend needs its ingress sink at creation:
 * <pre>
 *   Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
 *   VifBackend a = cable.plug(0, VifBackend.create(vifRegion, configA, cable.ingress(0), offload));
 *   VifBackend b = cable.plug(1, VifBackend.create(vifRegion, configB, cable.ingress(1), offload));
 * </pre>
 * Threading: ports are attached at configuration time. Each direction runs on the thread that delivers to the
 * ingress sink of its sending port (for a vif, the sending backend's agent thread), which may differ per direction:
 * each direction has its own {@link EgressEdge}, and writes only the rx side of its sending port's counters and the
 * tx side of its receiving port's. {@link #doWork()} does nothing; nothing allocates per frame.
 */
public final class Crossover implements SwitchFabric
{
    private final PortTable ports = new PortTable(this, 2);
    private final EgressEdge[] edges;

    /** A cable that cannot finish offloads in software: a frame its receiving port cannot take is dropped. */
    public Crossover()
    {
        this(NoFrameOffload.INSTANCE, NoFrameOffload.INSTANCE);
    }

    /**
     * A cable that finishes in software what a receiving port cannot offload.
     *
     * @param towardsSecond the software offload for frames from port 0 to port 1 (used on that direction's thread).
     * @param towardsFirst  the software offload for frames from port 1 to port 0 (its own instance when the two
     *                      directions run on different threads).
     */
    public Crossover(final FrameOffload towardsSecond, final FrameOffload towardsFirst)
    {
        this.edges = new EgressEdge[] {new EgressEdge(towardsSecond, false), new EgressEdge(towardsFirst, false)};
    }

    /**
     * A cable with a {@link VifPort} at each end, for two vif backends to be {@link #plug plugged} in.
     *
     * @param first  the name of port 0 in counters and captures.
     * @param second the name of port 1.
     * @return the cable.
     */
    public static Crossover forTwoVifs(final String first, final String second)
    {
        final Crossover cable = new Crossover();
        cable.attach(new VifPort(first));
        cable.attach(new VifPort(second));
        return cable;
    }

    /**
     * Attaches one end. Configuration time.
     *
     * @param port the port.
     * @return its index: 0 for the first, 1 for the second.
     * @throws IllegalStateException when both ends are taken.
     */
    public int attach(final Port port)
    {
        return ports.add(port);
    }

    /**
     * Gives the {@link VifPort} at one end its backend. Configuration time.
     *
     * @param index   0 or 1, a {@link VifPort} end.
     * @param backend the vif backend created with {@link #ingress ingress(index)} as its sink.
     * @return {@code backend}.
     * @throws IllegalArgumentException when that end is not a {@link VifPort}.
     */
    public VifBackend plug(final int index, final VifBackend backend)
    {
        ports.checkIndex(index);
        if (!(ports.port(index) instanceof VifPort vifPort))
        {
            throw new IllegalArgumentException("index=" + index + " is " + ports.port(index).name() + ", not a vif");
        }
        vifPort.backend(backend);
        return backend;
    }

    /**
     * The sink through which the port at {@code index} hands the cable what it receives.
     *
     * @param index 0 or 1.
     * @return the port's ingress sink.
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

    /**
     * Hands a frame that arrived on one end to the other. On the sending direction's thread.
     *
     * @return 0 when the other end took it, else its drop reason (also counted on its tx side).
     */
    @Override
    public int onIngress(
        final int port, final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        final PortCounters in = ports.counters(port);
        final int out = 1 - port;
        if (out >= ports.size())
        {
            in.rxDropped(PortDropReason.WRITE_FAILED);
            return PortDropReason.WRITE_FAILED;
        }
        if (length < HeaderParser.ETHERNET_HEADER_LENGTH || offset < 0 || offset + length > buffer.capacity())
        {
            in.rxDropped(PortDropReason.RUNT);
            return PortDropReason.RUNT;
        }
        in.add(PortCounters.RX_FRAMES, 1);
        in.add(PortCounters.RX_BYTES, length);
        final int l2Length = EthernetHeader.etherType(buffer, offset) == EthernetHeader.ETHERTYPE_VLAN ?
            HeaderParser.ETHERNET_HEADER_LENGTH + HeaderParser.VLAN_TAG_LENGTH : HeaderParser.ETHERNET_HEADER_LENGTH;
        return edges[port].send(ports.port(out), ports.counters(out), buffer, offset, length, l2Length, metadata);
    }

    @Override
    public int doWork()
    {
        return 0;
    }

    @Override
    public String roleName()
    {
        return "crossover";
    }
}

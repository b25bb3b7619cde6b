package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.IcmpHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.VifFrontend;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A guest that generates traffic over its vif (the engine of {@code pvnet gen}): resolves an on-link IPv4
 * destination by ARP through its {@link GuestStack}, then
 * <ul>
 *   <li>{@link #datagrams}: UDP datagrams to an echo port or ICMP echo requests in one or more flows (flow {@code i}
 *       from source port / ICMP identifier {@link #SOURCE_PORT}{@code + i}: distinct 5-tuples), payload sizes from a
 *       {@link SizeMix}, each carrying a {@link GenPayloadDescriptor} probe, so every echo is counted, checked and
 *       timed (round trip), paced to the answers by an {@link EchoWindow} unless a rate is given or it floods; with
 *       {@link DatagramSpec.Direction#REVERSE} the peer streams to each flow instead
 *       ({@link StreamRequestDescriptor}), with {@link DatagramSpec.Direction#BIDIR} both at once;</li>
 *   <li>{@link #tcp(TcpSpec, GenListener)}: {@link TcpClient}'s connections, one per flow and direction: sending
 *       (segments or TSO frames within the peer's window, answered = bytes acknowledged) to a discard server or a
 *       kernel socket, receiving from the guest's {@link TcpChargenServer} or a kernel socket that writes.</li>
 * </ul>
 * Every run reports into {@link GenCounters} and tells a {@link GenListener} each round trip and each interval.
 * <p>
 * Threading: one thread calls everything; {@code poller} (the guest's frontend and stack) runs on it between sends,
 * and {@code waiter} idles it when it has nothing to do (a full tx ring, the next frame of a rate not yet due, answers
 * still on their way), so that on a machine with few cores the backend and the peer get the core a spinning
 * generator would take. Registers itself as the stack's {@link GuestStack#other} handler. Sending allocates nothing.
 * <p>
 * The generator holds the vif, the resolved destination and the run's counters, and sorts what comes back; each kind
 * of run is its own class: {@link DatagramClient} (datagrams, echoes, streams' start and stop, the drain),
 * {@link TcpClient} (connections), with {@link EchoWindow} pacing echoes and {@link StreamFlows} the one-way streams.
 */
public final class TrafficGenerator implements FrameHandler
{
    /** Source port of flow 0's UDP datagrams and TCP segments, and its ICMP echo identifier; flow i uses + i. */
    public static final int SOURCE_PORT = 40_000;
    /** Largest payload of a UDP datagram or TSO frame. */
    public static final int MAX_PAYLOAD = 65535 - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH - 8;
    /** Most flows ({@code -P}). */
    public static final int MAX_FLOWS = StreamSource.MAX_STREAMS;
    /** Bytes of IPv4 and UDP (or ICMP echo) headers in front of a datagram's payload. */
    public static final int DATAGRAM_HEADER_BYTES = Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;

    static final long GO_BACK_NS = 200_000_000L;
    /** Where a datagram's payload starts in {@link #frame}. */
    static final int PAYLOAD_OFFSET = EthernetHeader.LENGTH + DATAGRAM_HEADER_BYTES;
    private static final int ICMP_UNREACHABLE = 3;

    final VifFrontend frontend;
    private final GuestStack stack;
    private final Agent poller;
    private final IdleStrategy waiter;
    final NanoClock clock;
    final FrameBuilder builder = new FrameBuilder();
    final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(EthernetHeader.LENGTH + 65535));
    int destinationIp;
    private long destinationMac = -1;
    private int ipId;

    // the run in progress, read by onFrame
    GenCounters counters = new GenCounters(1);
    GenListener listener = GenListener.NONE;
    /** The UDP port echoes of the run come from (0 for ICMP, -1 for TCP). */
    int answerPort;
    long runStartNs;

    private final TcpClient tcp = new TcpClient(this);
    private final DatagramClient datagrams;

    /**
     * A generator on the system clock that backs off (spins, yields, parks up to 50 us) when it has nothing to do;
     * registers itself as {@code stack}'s {@link GuestStack#other} handler.
     *
     * @param frontend the guest's vif.
     * @param stack    its stack (answers ARP; hands this generator what it does not answer).
     * @param poller   polls the frontend and the stack (the guest node's agent).
     */
    public TrafficGenerator(final VifFrontend frontend, final GuestStack stack, final Agent poller)
    {
        this(frontend, stack, poller, new BackoffIdleStrategy(64, 16, 1_000, 50_000), new SystemNanoClock());
    }

    /**
     * A generator with its own way of waiting and its own clock; registers itself as {@code stack}'s
     * {@link GuestStack#other} handler.
     *
     * @param frontend the guest's vif.
     * @param stack    its stack (answers ARP; hands this generator what it does not answer).
     * @param poller   polls the frontend and the stack (the guest node's agent).
     * @param waiter   how the thread waits when there is nothing to send or receive (e.g. an {@code IdleMode}
     *                 strategy over the vif's event port); told the work done after every poll.
     * @param clock    the clock of rates, durations, intervals and probes.
     */
    public TrafficGenerator(
        final VifFrontend frontend, final GuestStack stack, final Agent poller, final IdleStrategy waiter,
        final NanoClock clock)
    {
        this.frontend = frontend;
        this.stack = stack;
        this.poller = poller;
        this.waiter = waiter;
        this.clock = clock;
        this.datagrams = new DatagramClient(this); // reads the vif, clock and frame set above
        GenPayloadDescriptor.fillPattern(frame, PAYLOAD_OFFSET, frame.capacity() - PAYLOAD_OFFSET);
        stack.other(this);
    }

    /**
     * Polls until the vif is connected or {@code timeoutNs} passes.
     *
     * @param timeoutNs how long to wait, in nanoseconds.
     * @return whether it is connected.
     */
    public boolean awaitConnected(final long timeoutNs)
    {
        final long deadline = clock.nanoTime() + timeoutNs;
        while (!frontend.isConnected() && clock.nanoTime() - deadline < 0)
        {
            idle(poll());
        }
        return frontend.isConnected();
    }

    /**
     * Resolves {@code destination} (an on-link IPv4 address) by ARP, asking every 200 ms. Later runs go to it.
     *
     * @param destination the IPv4 address, as an int (first octet most significant).
     * @param timeoutNs   how long to wait for the answer, in nanoseconds.
     * @return whether it answered within {@code timeoutNs}.
     */
    public boolean resolve(final int destination, final long timeoutNs)
    {
        destinationIp = destination;
        final long deadline = clock.nanoTime() + timeoutNs;
        long nextRequest = clock.nanoTime();
        while (clock.nanoTime() - deadline < 0)
        {
            if (clock.nanoTime() - nextRequest >= 0)
            {
                stack.sendArpRequest(destination);
                frontend.flush();
                nextRequest = clock.nanoTime() + GO_BACK_NS;
            }
            final int work = poll();
            destinationMac = stack.neighbourMac4(destination);
            if (destinationMac >= 0)
            {
                return true;
            }
            idle(work);
        }
        return false;
    }

    /**
     * Sends UDP datagrams or ICMP echo requests as {@code spec} says (frames round-robin over the flows), and/or has
     * the peer stream to each flow, until the count is reached or the duration passes; then waits up to 200 ms for
     * the last answers. {@code listener} is told every round trip and every interval.
     *
     * @param spec     what to send (or have streamed), how much and how fast.
     * @param listener told each round trip and each interval, on this thread.
     * @return what was sent and came back; a failure when the destination was not resolved first or no stream came.
     */
    public TrafficReport datagrams(final DatagramSpec spec, final GenListener listener)
    {
        if (destinationMac < 0)
        {
            return TrafficReport.failed("destination not resolved");
        }
        begin(spec.flows(), listener, spec.icmp() ? 0 : spec.port());
        return datagrams.run(spec);
    }

    /**
     * {@return the window per flow the last datagram run asked its reverse streams' sender to keep beyond gen's
     * reports, 0 when it asked for none (a rate, a flood, or no reverse stream)}
     */
    public int reverseWindow()
    {
        return datagrams.streams().reverse().window();
    }

    /**
     * {@return how far (datagrams) the reverse streams' sender of the last datagram run went beyond gen's reports and
     * the window it was asked for: 0 when it held to it; more is a sender that does not pace (an older guest)}
     */
    public long reverseOverrun()
    {
        return datagrams.streams().reverse().overrun();
    }

    /**
     * {@return the credit of {@code flow}'s one-way stream in the last datagram run, null when that run sent no
     * one-way stream paced by its receiver's reports} Read it after {@link #datagrams} returned.
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public StreamCredit streamCredit(final int flow)
    {
        final StreamFlows streams = datagrams.streams();
        return streams.paced() && flow < streams.flows() ? streams.credit(flow) : null;
    }

    /**
     * {@return the echo window of the last datagram run that was paced to its answers, null when none was} Read it
     * after {@link #datagrams} returned (its largest window, losses, whether the peer echoed).
     */
    public EchoWindow echoWindow()
    {
        return datagrams.window();
    }

    private void begin(final int flows, final GenListener listener, final int answerPort)
    {
        counters = new GenCounters(flows);
        this.listener = listener;
        this.answerPort = answerPort;
        runStartNs = clock.nanoTime();
        datagrams.begin(runStartNs);
    }

    /**
     * The warm-up ended: counting starts from zero (echoes of warm-up requests that come later are left out by their
     * send time; the one-way streams count again, {@link StreamFlows#recount}).
     */
    void restartCounters(final int flows)
    {
        counters = new GenCounters(flows);
    }

    static long flowShare(final long total, final int flow, final int flows)
    {
        return total / flows + (flow < total % flows ? 1 : 0);
    }

    /**
     * Opens a TCP connection to {@code port}, sends {@code count} segments of {@code size} payload bytes (when
     * {@code count > 0}; else for {@code durationNs}), each a TSO frame with CSUM_PARTIAL and GSO size = MSS when
     * {@code tso}, at most {@code rate} frames a second, then closes it: {@link #tcp(TcpSpec, GenListener)} with one
     * sending connection.
     *
     * @param port       the destination TCP port (a discard server or a kernel socket).
     * @param size       payload bytes of each segment or TSO frame.
     * @param tso        whether each send is one TSO frame (CSUM_PARTIAL, GSO size the MSS).
     * @param count      how many to send; 0 or less: until {@code durationNs} passes.
     * @param durationNs the longest the run sends, in nanoseconds.
     * @param rate       most sends a second; 0 as fast as the peer's window allows.
     * @param intervalNs interval of {@link GenListener#onInterval}, 0 for none but the last.
     * @param listener   told each interval, on this thread.
     * @return what was sent and acknowledged; a failure when unresolved or without SYN-ACK.
     */
    public TrafficReport tcp(
        final int port, final int size, final boolean tso, final long count, final long durationNs, final long rate,
        final long intervalNs, final GenListener listener)
    {
        return tcp(new TcpSpec(port, TcpChargenServer.PORT == port ? GuestStack.DISCARD_PORT : TcpChargenServer.PORT,
            size, tso, 1, Math.max(0, count), durationNs, rate, DatagramSpec.Direction.FORWARD, intervalNs), listener);
    }

    /**
     * Runs TCP connections as {@code spec} says, iperf3-like: {@code spec.flows()} sending connections (answered =
     * bytes acknowledged), receiving connections to a server that writes ({@code --reverse}), or both at once
     * ({@code --bidir}); each closed at the end. {@code listener} is told every interval.
     *
     * @param spec     the connections, sizes, count or duration, rate.
     * @param listener told each interval, on this thread.
     * @return what was sent, acknowledged and received; a failure when unresolved or a connection got no SYN-ACK.
     */
    public TrafficReport tcp(final TcpSpec spec, final GenListener listener)
    {
        if (destinationMac < 0)
        {
            return TrafficReport.failed("destination not resolved");
        }
        begin(spec.flows(), listener, -1);
        return tcp.run(spec);
    }

    long destinationMac()
    {
        return destinationMac;
    }

    GuestStack stack()
    {
        return stack;
    }

    void ipv4Headers()
    {
        builder.wrap(frame, 0)
            .ethernet(destinationMac, stack.mac())
            .ipv4(stack.ipv4(), destinationIp).identification(ipId++ & 0xFFFF);
    }

    void idle(final int work)
    {
        waiter.idle(work);
    }

    int poll()
    {
        try
        {
            datagrams.streams().reverse().newPoll();
            return poller.doWork();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("guest poll failed: " + ex.getMessage(), ex);
        }
    }

    static String dottedQuad(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    /**
     * UDP echoes, ICMP echo replies, reverse-stream datagrams and TCP segments from the destination that the stack did
     * not answer: counted against the flow their port (or ICMP identifier) names.
     */
    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        final int ip = offset + EthernetHeader.LENGTH;
        if (length < EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH ||
            EthernetHeader.etherType(buffer, offset) != EthernetHeader.ETHERTYPE_IPV4 ||
            Ipv4Header.source(buffer, ip) != destinationIp)
        {
            return;
        }
        final int ihl = Ipv4Header.headerLength(buffer, ip);
        final int l4 = ip + ihl;
        final int l4Length = Ipv4Header.totalLength(buffer, ip) - ihl;
        final int protocol = Ipv4Header.protocol(buffer, ip);
        if (l4Length < UdpHeader.LENGTH || EthernetHeader.LENGTH + ihl + l4Length > length)
        {
            return;
        }
        final int flow;
        if (protocol == IpProtocol.ICMP && IcmpHeader.type(buffer, l4) == ICMP_UNREACHABLE)
        {
            datagrams.unreachable(buffer, l4, l4Length);
            return;
        }
        if (protocol == IpProtocol.ICMP)
        {
            flow = IcmpHeader.type(buffer, l4) == IcmpHeader.V4_ECHO_REPLY ? IcmpHeader.identifier(buffer, l4) - SOURCE_PORT : -1;
        }
        else
        {
            flow = UdpHeader.destinationPort(buffer, l4) - SOURCE_PORT; // TCP's ports are where UDP's are
        }
        if (flow < 0 || flow >= counters.flows())
        {
            return;
        }
        final int payload = l4 + UdpHeader.LENGTH;
        final int size = l4Length - UdpHeader.LENGTH;
        if (protocol == IpProtocol.UDP && UdpHeader.sourcePort(buffer, l4) == StreamSource.PORT)
        {
            if (StreamControlDescriptor.hasHeader(buffer, payload, size))
            {
                datagrams.streams().onControl(flow, buffer, payload, size); // a report of a one-way stream's receiver
            }
            else
            {
                datagrams.streams().reverse().onDatagram(flow, buffer, payload, size); // a datagram of a reverse stream
            }
        }
        else if (protocol == IpProtocol.ICMP || (protocol == IpProtocol.UDP && UdpHeader.sourcePort(buffer, l4) == answerPort))
        {
            datagrams.echo(buffer, payload, size, flow);
        }
        else if (protocol == IpProtocol.TCP && l4Length >= TcpHeader.MIN_LENGTH)
        {
            tcp.onSegment(flow, TcpHeader.sourcePort(buffer, l4), buffer, l4, l4Length);
        }
    }
}

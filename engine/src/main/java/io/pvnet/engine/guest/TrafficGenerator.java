package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.IcmpHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.netif.NetifConstants;
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
 * Why one file of this length (about 610 lines of code, the rest javadoc): the datagram, reverse-stream, warm-up and
 * interval logic of one run share its counters and clock (TCP is in TcpClient, the pacing to answers in
 * EchoWindow, the one-way streams' control, credit and counts in StreamFlows).
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
    /** The shortest silence that ends the drain after the last send. */
    private static final long DRAIN_NS = 200_000_000L;
    /** The silence that ends the drain when no answer came in the whole run. */
    private static final long FIRST_ANSWER_NS = 1_000_000_000L;
    /** The longest drain, however the answers trickle in. */
    private static final long MAX_DRAIN_NS = 3_000_000_000L;
    private static final long STREAM_START_TIMEOUT_NS = 2_000_000_000L;
    /** A reverse run counting datagrams ends when none came for this long (the peer stopped or lost the rest). */
    private static final long STREAM_SILENCE_NS = 1_000_000_000L;
    private static final int PAYLOAD_OFFSET = EthernetHeader.LENGTH + DATAGRAM_HEADER_BYTES;
    private static final int ICMP_UNREACHABLE = 3;
    private static final int ICMP_PORT_UNREACHABLE = 3;

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
    private int answerPort;
    long runStartNs;
    /** When the run's warm-up began (answers to probes sent since, before {@link #runStartNs}, are left out). */
    private long omitStartNs;
    /** The longest round trip of the run's answers so far (sets how long the drain waits for the rest). */
    private long maxRoundTripNs;

    /** Paces the echo requests of a run to the answers ({@link DatagramSpec#window()}), null when not paced. */
    private EchoWindow window;
    private EchoWindow lastWindow;

    private final TcpClient tcp = new TcpClient(this);
    /** The one-way streams of a datagram run (forward to a counting receiver, reverse with reports). */
    private final StreamFlows streams = new StreamFlows(this);
    private final DatagramChecksum datagramChecksum = new DatagramChecksum(MAX_PAYLOAD);

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
        final int flows = spec.flows();
        begin(flows, listener, spec.icmp() ? 0 : spec.port());
        streams.begin(spec, clock.nanoTime());
        window = forward(spec) && !spec.oneWay() && spec.window() > 0 ? windowOf(spec.window()) : null;
        final boolean forward = spec.direction() != DatagramSpec.Direction.REVERSE;
        final boolean reverse = spec.direction() != DatagramSpec.Direction.FORWARD;
        final boolean oneWay = streams.forward(); // forward datagrams counted by their receiver, not echoed
        final SizeMix sizes = spec.sizes();
        if (oneWay && !streams.awaitReceivers(STREAM_START_TIMEOUT_NS))
        {
            return new TrafficReport(counters, 0, false, "no receiver at " + dottedQuad(destinationIp) + ":" +
                spec.port() + " counted the one-way stream (" + (streams.refused() ? "ICMP port unreachable" :
                "no report in " + STREAM_START_TIMEOUT_NS / 1_000_000_000L + " s") + "; a pvnet guest counts it, " +
                "a kernel socket or an older guest does not: --echo has port 7 echo each datagram instead)");
        }
        if (reverse && !startStreams(spec))
        {
            final String failure = "no stream from " + dottedQuad(destinationIp) + ":" + StreamSource.PORT +
                " (is the peer a pvnet guest, or a stream source speaking StreamRequestDescriptor?)";
            stopStreams(flows);
            return new TrafficReport(counters, 0, false, failure);
        }
        long start = clock.nanoTime();
        runStartNs = start;
        omitStartNs = start;
        if (window != null)
        {
            window.start(start);
        }
        final long omitEnd = start + spec.omitNs();
        boolean omitting = spec.omitNs() > 0;
        long end = start + spec.omitNs() + spec.durationNs();
        final long gapNs = spec.rate() > 0 ? Math.max(1, 1_000_000_000L / spec.rate()) : 0;
        final long intervalNs = spec.intervalNs();
        long nextInterval = intervalNs > 0 ? start + intervalNs : Long.MAX_VALUE;
        long lastInterval = start;
        long next = start;
        long index = 0;
        boolean ringFull = false;
        long now = start;
        long lastReceived = GenCounters.sum(counters.receivedFrames);
        long lastReceiveNs = start;
        while (now - end < 0 && (forward ? spec.count() == 0 || index < spec.count() : !streamsDone(spec)))
        {
            if (!forward)
            {
                final long received = GenCounters.sum(counters.receivedFrames);
                if (received != lastReceived)
                {
                    lastReceived = received;
                    lastReceiveNs = now;
                }
                else if (now - lastReceiveNs > STREAM_SILENCE_NS)
                {
                    break; // the streams went silent before their count: the rest is lost
                }
            }
            if (omitting && now - omitEnd >= 0)
            {
                // the warm-up is over: its last line, then the measured run from zero
                listener.onOmitted(counters, lastInterval - start, now - start);
                omitting = false;
                restartCounters(flows);
                streams.recount(now);
                start = now;
                runStartNs = now;
                end = now + spec.durationNs();
                lastInterval = now;
                nextInterval = intervalNs > 0 ? now + intervalNs : Long.MAX_VALUE;
                lastReceived = 0;
                lastReceiveNs = now;
            }
            else if (now - nextInterval >= 0)
            {
                if (omitting)
                {
                    listener.onOmitted(counters, lastInterval - start, now - start);
                }
                else
                {
                    listener.onInterval(counters, lastInterval - start, now - start);
                }
                lastInterval = now;
                do
                {
                    nextInterval += intervalNs; // after a stall the next line ends at the next boundary, one line for it
                }
                while (nextInterval - now <= 0);
            }
            int work = 0;
            final int flow = (int)(index % flows);
            if (forward && (gapNs == 0 || now - next >= 0) && (window == null || window.maySend(now)) &&
                (!oneWay || streams.maySend(flow, now)))
            {
                final int size = sizes.size(counters.sentFrames[flow]); // each flow cycles through the whole mix
                // the probe: an echo request's send number of the run (the window reads it back), a one-way
                // datagram's sequence in its flow (its receiver counts by it)
                final int length = datagram(spec.icmp(), spec.port(), flow, size, (int)(counters.sentFrames[flow]),
                    oneWay ? streams.nextSequence(flow) : (int)index, now);
                if (frontend.transmit(frame, 0, length) == VifFrontend.OK)
                {
                    if (window != null)
                    {
                        window.onSend();
                    }
                    if (oneWay)
                    {
                        streams.onSent(flow);
                    }
                    counters.sentFrames[flow]++;
                    counters.sentFrameBytes[flow] += length;
                    counters.sentPayloadBytes[flow] += size;
                    index++;
                    next += gapNs;
                    ringFull = false;
                    work = 1;
                    if ((index & 31) != 0)
                    {
                        if (!oneWay)
                        {
                            now = clock.nanoTime(); // each echo request's probe carries its own send time
                        }
                        continue; // poll every 32 frames; a one-way stream reads the clock once per 32 (its
                                  // probes' send times are the batch's, and a rate still holds: next grows per frame)
                    }
                }
                else if (!ringFull)
                {
                    // the ring is full of requests the backend has not answered: publish them and wait for answers
                    // (idling, so a backend on the same core gets it) instead of retrying at once
                    ringFull = true;
                    counters.ringFullWaits++;
                }
                if (gapNs > 0 && now - next > 100_000_000L)
                {
                    next = now; // more than 100 ms behind the rate (a stall): do not burst to catch up
                }
            }
            frontend.flush();
            work += poll();
            work += streams.service(now);
            idle(work);
            now = clock.nanoTime();
        }
        frontend.flush();
        final long elapsed = clock.nanoTime() - start;
        if (oneWay)
        {
            streams.end(MAX_DRAIN_NS); // the receivers' final reports: what they counted of every datagram sent
        }
        if (reverse && spec.count() == 0)
        {
            stopStreams(flows); // first: the drain then takes what was streamed in time, not 200 ms more of it
        }
        drain(forward, reverse, spec, flows);
        if (reverse)
        {
            if (spec.count() > 0)
            {
                stopStreams(flows); // counted streams end at their count: the drain waited for their last datagrams
                // a stream asked for N datagrams that delivered fewer lost the rest, also those after its last one
                for (int flow = 0; flow < flows; flow++)
                {
                    counters.receivedExpected[flow] = Math.max(counters.receivedExpected[flow],
                        flowShare(spec.count(), flow, flows));
                }
            }
        }
        final long last = clock.nanoTime();
        listener.onInterval(counters, lastInterval - start, Math.max(lastInterval, Math.min(last, end)) - start);
        return new TrafficReport(counters, elapsed, false, null);
    }

    private static boolean forward(final DatagramSpec spec)
    {
        return spec.direction() != DatagramSpec.Direction.REVERSE;
    }

    private EchoWindow windowOf(final int max)
    {
        if (lastWindow == null || lastWindow.max() != max)
        {
            lastWindow = new EchoWindow(max);
        }
        return lastWindow;
    }

    /**
     * {@return the credit of {@code flow}'s one-way stream in the last datagram run, null when that run sent no
     * one-way stream paced by its receiver's reports} Read it after {@link #datagrams} returned.
     *
     * @param flow the flow, 0 .. flows - 1.
     */
    public StreamCredit streamCredit(final int flow)
    {
        return streams.paced() && flow < streams.flows() ? streams.credit(flow) : null;
    }

    /**
     * {@return the echo window of the last datagram run that was paced to its answers, null when none was} Read it
     * after {@link #datagrams} returned (its largest window, losses, whether the peer echoed).
     */
    public EchoWindow echoWindow()
    {
        return window;
    }

    private void begin(final int flows, final GenListener listener, final int answerPort)
    {
        counters = new GenCounters(flows);
        this.listener = listener;
        this.answerPort = answerPort;
        runStartNs = clock.nanoTime();
        omitStartNs = runStartNs;
        maxRoundTripNs = 0;
    }

    /**
     * The warm-up ended: counting starts from zero (echoes of warm-up requests that come later are left out by their
     * send time; the one-way streams count again, {@link StreamFlows#recount}).
     */
    void restartCounters(final int flows)
    {
        counters = new GenCounters(flows);
    }

    /**
     * Writes flow {@code flow}'s next datagram or echo request into {@link #frame}: {@code sequence} the flow's (the
     * ICMP header's), {@code sendNumber} the run's across flows (the probe's, which {@link EchoWindow} reads back).
     * @return its length.
     */
    private int datagram(
        final boolean icmp, final int port, final int flow, final int size, final int sequence, final int sendNumber,
        final long now)
    {
        ipv4Headers();
        if (icmp)
        {
            builder.icmp(IcmpHeader.V4_ECHO_REQUEST, 0, ((SOURCE_PORT + flow) << 16) | (sequence & 0xFFFF));
        }
        else
        {
            builder.udp(SOURCE_PORT + flow, port);
        }
        GenPayloadDescriptor.writeProbe(frame, PAYLOAD_OFFSET, size, sendNumber, now);
        if (icmp || size < GenPayloadDescriptor.LENGTH)
        {
            return builder.payloadLength(size).build();
        }
        // lengths and the IPv4 header's checksum; the UDP checksum from its parts (the pattern's sum is cached by size)
        final int length = builder.payloadLength(size).buildPartial();
        datagramChecksum.complete(frame, EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH, size);
        return length;
    }

    /**
     * Waits for the echoes still out and the streams' last datagrams: until everything came, or for echoes as ping
     * waits for its replies, until none came for the silence window. The window is {@link #DRAIN_NS} or twice the
     * longest round trip of the run, whichever is longer, and {@link #FIRST_ANSWER_NS} while no echo came at all (a
     * path of processes still compiling it, on a loaded machine, answers its first echoes 100-300 ms late; a fixed
     * 200 ms after the last send counted them as lost); never longer than {@link #MAX_DRAIN_NS}. Without echoes (a
     * reverse run) it waits {@link #DRAIN_NS}: a timed stream was stopped, what it sent after that is not waited for.
     */
    private void drain(final boolean forward, final boolean reverse, final DatagramSpec spec, final int flows)
    {
        final long start = clock.nanoTime();
        long lastAnswerNs = start;
        long answered = GenCounters.sum(counters.answeredFrames);
        long now = start;
        while (now - start < MAX_DRAIN_NS)
        {
            final boolean echoesIn = !forward || window == null && streams.forward() ||
                GenCounters.sum(counters.answeredFrames) >= GenCounters.sum(counters.sentFrames);
            final boolean streamsIn = !reverse || streamsDone(spec);
            if (echoesIn && streamsIn)
            {
                return;
            }
            final long total = GenCounters.sum(counters.answeredFrames);
            if (total != answered)
            {
                answered = total;
                lastAnswerNs = now;
            }
            final long silenceNs = !forward ? DRAIN_NS : total == 0 ? FIRST_ANSWER_NS :
                Math.max(DRAIN_NS, 2 * maxRoundTripNs);
            if (now - lastAnswerNs >= silenceNs)
            {
                return;
            }
            idle(poll() + streams.service(now));
            now = clock.nanoTime();
        }
    }

    private boolean streamsDone(final DatagramSpec spec)
    {
        if (spec.count() == 0)
        {
            return false;
        }
        for (int flow = 0; flow < counters.flows(); flow++)
        {
            if (counters.receivedFrames[flow] < flowShare(spec.count(), flow, counters.flows()))
            {
                return false;
            }
        }
        return true;
    }

    static long flowShare(final long total, final int flow, final int flows)
    {
        return total / flows + (flow < total % flows ? 1 : 0);
    }

    /** Asks the peer to stream to every flow; resends every 200 ms until each flow's first datagram arrived. */
    private boolean startStreams(final DatagramSpec spec)
    {
        final int flows = spec.flows();
        final int[] schedule = spec.sizes().schedule();
        final long deadline = clock.nanoTime() + STREAM_START_TIMEOUT_NS;
        long nextRequest = clock.nanoTime();
        while (clock.nanoTime() - deadline < 0)
        {
            boolean all = true;
            for (int flow = 0; flow < flows; flow++)
            {
                all &= counters.receivedFrames[flow] > 0;
            }
            if (all)
            {
                return true;
            }
            if (clock.nanoTime() - nextRequest >= 0)
            {
                for (int flow = 0; flow < flows; flow++)
                {
                    if (counters.receivedFrames[flow] == 0)
                    {
                        streamRequest(flow, StreamRequestDescriptor.START, flowShare(spec.count(), flow, flows),
                            spec.omitNs() + spec.durationNs() + STREAM_START_TIMEOUT_NS, spec.rate() == 0 ? 0 :
                            Math.max(1, flowShare(spec.rate(), flow, flows)), schedule, streams.reverseWindow(),
                            streams.reverseNonce(flow));
                    }
                }
                frontend.flush();
                nextRequest = clock.nanoTime() + GO_BACK_NS;
            }
            idle(poll());
        }
        return false;
    }

    private void stopStreams(final int flows)
    {
        for (int flow = 0; flow < flows; flow++)
        {
            streamRequest(flow, StreamRequestDescriptor.STOP, 0, 0, 0, new int[] {1}, 0, 0);
        }
        frontend.flush();
        poll();
    }

    private void streamRequest(
        final int flow, final int command, final long count, final long durationNs, final long rate, final int[] sizes,
        final int window, final int nonce)
    {
        ipv4Headers();
        builder.udp(SOURCE_PORT + flow, StreamSource.PORT);
        final int length = StreamRequestDescriptor.write(frame, PAYLOAD_OFFSET, command, count, durationNs, rate, sizes,
            window, nonce);
        final int frameLength = builder.payloadLength(length).build();
        frontend.transmit(frame, 0, frameLength);
        // the request overwrote the pattern: restore it for the datagrams that follow
        GenPayloadDescriptor.fillPattern(frame, PAYLOAD_OFFSET, length);
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
        window = null;
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
            unreachable(buffer, l4, l4Length);
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
                streams.onControl(flow, buffer, payload, size); // a report of a one-way stream's receiver
            }
            else
            {
                streams.onStreamed(flow, buffer, payload, size); // a datagram of a reverse stream
            }
        }
        else if (protocol == IpProtocol.ICMP || (protocol == IpProtocol.UDP && UdpHeader.sourcePort(buffer, l4) == answerPort))
        {
            echo(buffer, payload, size, flow);
        }
        else if (protocol == IpProtocol.TCP && l4Length >= TcpHeader.MIN_LENGTH)
        {
            tcp.onSegment(flow, TcpHeader.sourcePort(buffer, l4), buffer, l4, l4Length);
        }
    }

    private void echo(final DirectBuffer buffer, final int payload, final int size, final int flow)
    {
        final boolean probe = size >= GenPayloadDescriptor.LENGTH && GenPayloadDescriptor.lastByteMatches(buffer, payload, size);
        final long sentAt = probe ? GenPayloadDescriptor.sendTimeNs(buffer, payload) : 0;
        final long now = probe || window != null ? clock.nanoTime() : 0;
        if (window != null)
        {
            // the window spans the warm-up: its answers pace the sends as the measured run's do
            if (probe)
            {
                window.onAnswer(GenPayloadDescriptor.sequence(buffer, payload), now - sentAt, now);
            }
            else
            {
                window.onAnswer(now);
            }
        }
        if (probe && sentAt - runStartNs < 0 && sentAt - omitStartNs >= 0)
        {
            return; // sent in the warm-up, answered after it: neither counted nor timed
        }
        counters.answeredFrames[flow]++;
        counters.answeredPayloadBytes[flow] += size;
        if (!GenPayloadDescriptor.lastByteMatches(buffer, payload, size) || size < 1)
        {
            counters.badAnswers[flow]++;
            return;
        }
        if (probe)
        {
            final long roundTrip = now - sentAt;
            if (sentAt - runStartNs >= 0 && roundTrip >= 0)
            {
                maxRoundTripNs = Math.max(maxRoundTripNs, roundTrip);
                listener.onRoundTrip(flow, roundTrip);
            }
            else
            {
                counters.badAnswers[flow]++; // not a probe of this run
            }
        }
    }

    /**
     * An ICMP destination unreachable (port) quoting one of this run's datagrams to the echo port: nothing listens
     * there (the kernel behind a TAP port), so no echo will come and the window holds nothing back.
     */
    private void unreachable(final DirectBuffer buffer, final int l4, final int l4Length)
    {
        final int quoted = l4 + IcmpHeader.LENGTH;
        if (IcmpHeader.code(buffer, l4) != ICMP_PORT_UNREACHABLE ||
            l4Length < IcmpHeader.LENGTH + Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH ||
            Ipv4Header.protocol(buffer, quoted) != IpProtocol.UDP)
        {
            return;
        }
        final int quotedUdp = quoted + Ipv4Header.headerLength(buffer, quoted);
        final int flow = UdpHeader.sourcePort(buffer, quotedUdp) - SOURCE_PORT;
        if (quotedUdp + UdpHeader.LENGTH <= l4 + l4Length && UdpHeader.destinationPort(buffer, quotedUdp) == answerPort &&
            flow >= 0 && flow < counters.flows())
        {
            if (window != null)
            {
                window.onRefused();
            }
            streams.onRefused();
        }
    }

}

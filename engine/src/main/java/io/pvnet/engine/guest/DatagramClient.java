package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.IcmpHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.VifFrontend;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import static io.pvnet.engine.guest.TrafficGenerator.GO_BACK_NS;
import static io.pvnet.engine.guest.TrafficGenerator.SOURCE_PORT;
import static io.pvnet.engine.guest.TrafficGenerator.dottedQuad;
import static io.pvnet.engine.guest.TrafficGenerator.flowShare;

/**
 * The datagram runs of a {@link TrafficGenerator} ({@link TrafficGenerator#datagrams}): UDP datagrams to an echo port
 * or ICMP echo requests round-robin over the flows, each carrying a {@link GenPayloadDescriptor} probe so every echo
 * is counted, checked and timed; paced to the answers by an {@link EchoWindow} unless a rate is given or it floods;
 * one-way and reverse streams through {@link StreamFlows}; the warm-up, the intervals and the drain of the last
 * answers. The generator owns the vif, the resolved destination and the run's counters; this class the send loop and
 * what the echoes of a run tell it (round trips, the window, refusals).
 * <p>
 * Threading: the generator's thread; {@link #echo} and {@link #unreachable} are called from its {@code onFrame}
 * while {@link #run} polls. Sending and counting allocate nothing.
 */
final class DatagramClient
{
    /** The shortest silence that ends the drain after the last send. */
    private static final long DRAIN_NS = 200_000_000L;
    /** The silence that ends the drain when no answer came in the whole run. */
    private static final long FIRST_ANSWER_NS = 1_000_000_000L;
    /** The longest drain, however the answers trickle in. */
    private static final long MAX_DRAIN_NS = 3_000_000_000L;
    private static final long STREAM_START_TIMEOUT_NS = 2_000_000_000L;
    /** A reverse run counting datagrams ends when none came for this long (the peer stopped or lost the rest). */
    private static final long STREAM_SILENCE_NS = 1_000_000_000L;
    private static final int PAYLOAD_OFFSET = TrafficGenerator.PAYLOAD_OFFSET;
    private static final int ICMP_PORT_UNREACHABLE = 3;

    private final TrafficGenerator generator;
    private final VifFrontend frontend;
    private final NanoClock clock;
    private final FrameBuilder builder;
    private final UnsafeBuffer frame;
    /** The one-way streams of a datagram run (forward to a counting receiver, reverse with reports). */
    private final StreamFlows streams;
    private final DatagramChecksum datagramChecksum = new DatagramChecksum(TrafficGenerator.MAX_PAYLOAD);

    /** When the run's warm-up began (answers to probes sent since, before the run's start, are left out). */
    private long omitStartNs;
    /** The longest round trip of the run's answers so far (sets how long the drain waits for the rest). */
    private long maxRoundTripNs;
    /** Paces the echo requests of a run to the answers ({@link DatagramSpec#window()}), null when not paced. */
    private EchoWindow window;
    private EchoWindow lastWindow;

    DatagramClient(final TrafficGenerator generator)
    {
        this.generator = generator;
        this.frontend = generator.frontend;
        this.clock = generator.clock;
        this.builder = generator.builder;
        this.frame = generator.frame;
        this.streams = new StreamFlows(generator);
    }

    /** A run of any kind begins at {@code nowNs}: no warm-up, no round trip yet, no window (a TCP run has none). */
    void begin(final long nowNs)
    {
        omitStartNs = nowNs;
        maxRoundTripNs = 0;
        window = null;
    }

    /** {@return the window of the last datagram run that was paced to its answers, null when none was} */
    EchoWindow window()
    {
        return window;
    }

    StreamFlows streams()
    {
        return streams;
    }

    /** Runs {@code spec} on the generator's counters (already begun with {@code spec.flows()} flows). */
    TrafficReport run(final DatagramSpec spec)
    {
        final int flows = spec.flows();
        streams.begin(spec, clock.nanoTime());
        window = spec.forward() && !spec.oneWay() && spec.window() > 0 ? windowOf(spec.window()) : null;
        final boolean forward = spec.forward();
        final boolean reverse = spec.reverse();
        final boolean oneWay = streams.forward(); // forward datagrams counted by their receiver, not echoed
        final SizeMix sizes = spec.sizes();
        if (oneWay && !streams.awaitReceivers(STREAM_START_TIMEOUT_NS))
        {
            return new TrafficReport(generator.counters, 0, false, "no receiver at " +
                dottedQuad(generator.destinationIp) + ":" +
                spec.port() + " counted the one-way stream (" + (streams.refused() ? "ICMP port unreachable" :
                "no report in " + STREAM_START_TIMEOUT_NS / 1_000_000_000L + " s") + "; a pvnet guest counts it, " +
                "a kernel socket or an older guest does not: --echo has port 7 echo each datagram instead)");
        }
        if (reverse && !startStreams(spec))
        {
            final String failure = "no stream from " + dottedQuad(generator.destinationIp) + ":" + StreamSource.PORT +
                " (is the peer a pvnet guest, or a stream source speaking StreamRequestDescriptor?)";
            stopStreams(flows);
            return new TrafficReport(generator.counters, 0, false, failure);
        }
        long start = clock.nanoTime();
        generator.runStartNs = start;
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
        long lastReceived = GenCounters.sum(generator.counters.receivedFrames);
        long lastReceiveNs = start;
        while (now - end < 0 && (forward ? spec.count() == 0 || index < spec.count() : !streamsDone(spec)))
        {
            if (!forward)
            {
                final long received = GenCounters.sum(generator.counters.receivedFrames);
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
                generator.listener.onOmitted(generator.counters, lastInterval - start, now - start);
                omitting = false;
                generator.restartCounters(flows);
                streams.recount(now);
                start = now;
                generator.runStartNs = now;
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
                    generator.listener.onOmitted(generator.counters, lastInterval - start, now - start);
                }
                else
                {
                    generator.listener.onInterval(generator.counters, lastInterval - start, now - start);
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
                final int size = sizes.size(generator.counters.sentFrames[flow]); // each flow cycles through the whole mix
                // the probe: an echo request's send number of the run (the window reads it back), a one-way
                // datagram's sequence in its flow (its receiver counts by it)
                final int length = datagram(spec.icmp(), spec.port(), flow, size, (int)(generator.counters.sentFrames[flow]),
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
                    generator.counters.sentFrames[flow]++;
                    generator.counters.sentFrameBytes[flow] += length;
                    generator.counters.sentPayloadBytes[flow] += size;
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
                    generator.counters.ringFullWaits++;
                }
                if (gapNs > 0 && now - next > 100_000_000L)
                {
                    next = now; // more than 100 ms behind the rate (a stall): do not burst to catch up
                }
            }
            frontend.flush();
            work += generator.poll();
            work += streams.service(now);
            generator.idle(work);
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
                    generator.counters.receivedExpected[flow] = Math.max(generator.counters.receivedExpected[flow],
                        flowShare(spec.count(), flow, flows));
                }
            }
        }
        final long last = clock.nanoTime();
        generator.listener.onInterval(generator.counters, lastInterval - start,
            Math.max(lastInterval, Math.min(last, end)) - start);
        return new TrafficReport(generator.counters, elapsed, false, null);
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
     * Writes flow {@code flow}'s next datagram or echo request into the generator's frame: {@code sequence} the flow's (the
     * ICMP header's), {@code sendNumber} the run's across flows (the probe's, which {@link EchoWindow} reads back).
     * @return its length.
     */
    private int datagram(
        final boolean icmp, final int port, final int flow, final int size, final int sequence, final int sendNumber,
        final long now)
    {
        generator.ipv4Headers();
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
        long answered = GenCounters.sum(generator.counters.answeredFrames);
        long now = start;
        while (now - start < MAX_DRAIN_NS)
        {
            final boolean echoesIn = !forward || window == null && streams.forward() ||
                GenCounters.sum(generator.counters.answeredFrames) >= GenCounters.sum(generator.counters.sentFrames);
            final boolean streamsIn = !reverse || streamsDone(spec);
            if (echoesIn && streamsIn)
            {
                return;
            }
            final long total = GenCounters.sum(generator.counters.answeredFrames);
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
            generator.idle(generator.poll() + streams.service(now));
            now = clock.nanoTime();
        }
    }

    private boolean streamsDone(final DatagramSpec spec)
    {
        if (spec.count() == 0)
        {
            return false;
        }
        for (int flow = 0; flow < generator.counters.flows(); flow++)
        {
            if (generator.counters.receivedFrames[flow] < flowShare(spec.count(), flow, generator.counters.flows()))
            {
                return false;
            }
        }
        return true;
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
                all &= generator.counters.receivedFrames[flow] > 0;
            }
            if (all)
            {
                return true;
            }
            if (clock.nanoTime() - nextRequest >= 0)
            {
                for (int flow = 0; flow < flows; flow++)
                {
                    if (generator.counters.receivedFrames[flow] == 0)
                    {
                        streamRequest(flow, StreamRequestDescriptor.START, flowShare(spec.count(), flow, flows),
                            spec.omitNs() + spec.durationNs() + STREAM_START_TIMEOUT_NS, spec.rate() == 0 ? 0 :
                            Math.max(1, flowShare(spec.rate(), flow, flows)), schedule, streams.reverse().window(),
                            streams.reverse().nonce(flow));
                    }
                }
                frontend.flush();
                nextRequest = clock.nanoTime() + GO_BACK_NS;
            }
            generator.idle(generator.poll());
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
        generator.poll();
    }

    private void streamRequest(
        final int flow, final int command, final long count, final long durationNs, final long rate, final int[] sizes,
        final int window, final int nonce)
    {
        generator.ipv4Headers();
        builder.udp(SOURCE_PORT + flow, StreamSource.PORT);
        final int length = StreamRequestDescriptor.write(frame, PAYLOAD_OFFSET, command, count, durationNs, rate, sizes,
            window, nonce);
        final int frameLength = builder.payloadLength(length).build();
        frontend.transmit(frame, 0, frameLength);
        // the request overwrote the pattern: restore it for the datagrams that follow
        GenPayloadDescriptor.fillPattern(frame, PAYLOAD_OFFSET, length);
    }

    void echo(final DirectBuffer buffer, final int payload, final int size, final int flow)
    {
        final boolean intact = GenPayloadDescriptor.lastByteMatches(buffer, payload, size);
        final boolean probe = size >= GenPayloadDescriptor.LENGTH && intact;
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
        if (probe && sentAt - generator.runStartNs < 0 && sentAt - omitStartNs >= 0)
        {
            return; // sent in the warm-up, answered after it: neither counted nor timed
        }
        generator.counters.answeredFrames[flow]++;
        generator.counters.answeredPayloadBytes[flow] += size;
        if (!intact || size < 1)
        {
            generator.counters.badAnswers[flow]++;
            return;
        }
        if (probe)
        {
            final long roundTrip = now - sentAt;
            if (sentAt - generator.runStartNs >= 0 && roundTrip >= 0)
            {
                maxRoundTripNs = Math.max(maxRoundTripNs, roundTrip);
                generator.listener.onRoundTrip(flow, roundTrip);
            }
            else
            {
                generator.counters.badAnswers[flow]++; // not a probe of this run
            }
        }
    }

    /**
     * An ICMP destination unreachable (port) quoting one of this run's datagrams to the echo port: nothing listens
     * there (the kernel behind a TAP port), so no echo will come and the window holds nothing back.
     */
    void unreachable(final DirectBuffer buffer, final int l4, final int l4Length)
    {
        final int quoted = l4 + IcmpHeader.LENGTH;
        if (IcmpHeader.code(buffer, l4) != ICMP_PORT_UNREACHABLE ||
            l4Length < IcmpHeader.LENGTH + Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH ||
            Ipv4Header.protocol(buffer, quoted) != IpProtocol.UDP)
        {
            return;
        }
        final int quotedUdp = quoted + Ipv4Header.headerLength(buffer, quoted);
        if (quotedUdp + UdpHeader.LENGTH > l4 + l4Length) // the quoted header claims more than the frame holds
        {
            return;
        }
        final int flow = UdpHeader.sourcePort(buffer, quotedUdp) - SOURCE_PORT;
        if (UdpHeader.destinationPort(buffer, quotedUdp) == generator.answerPort &&
            flow >= 0 && flow < generator.counters.flows())
        {
            if (window != null)
            {
                window.onRefused();
            }
            streams.onRefused();
        }
    }

}

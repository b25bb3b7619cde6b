package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.engine.VifFrontend;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The one-way UDP streams of a {@link TrafficGenerator} run, as iperf3's client runs them against its server (a
 * {@code pvnet guest}'s {@link StreamSource} and {@link StreamSink} on {@link StreamSource#PORT}):
 * <ul>
 *   <li><b>Forward</b>: per flow a {@link StreamControlDescriptor#RECEIVE} (its nonce, base sequence and how often to
 *       report) until the receiver's first report; then the data, numbered per flow, within a {@link StreamCredit}
 *       of the receiver's reports (unless a rate or a flood was asked for); each report's figures are the flow's
 *       receiver figures in {@link GenCounters}; at the end an {@link StreamControlDescriptor#END} until the final
 *       report. A warm-up's end sends a new RECEIVE (a new nonce, the next sequence as base): the receiver counts the
 *       measured run from zero, and the path's order puts every warm-up datagram before it.</li>
 *   <li><b>Reverse</b>: the peer streams to gen, which counts and reports ({@link StreamReverseFlows}, owned here).</li>
 * </ul>
 * A report that does not parse or names another nonce (a stale count, a hostile peer), or whose highest sequence
 * {@link StreamCredit#onReport} does not believe (stale, beyond what was sent), is counted by reason
 * ({@link GenCounters#badReports()}) and ignored: neither the window nor the receiver figures take it. One with a
 * believable highest sequence but loss figures no receiver could count (a spoofed datagram upset the receiver's count)
 * moves the window and ends the flow when final; its figures are not taken
 * ({@link GenCounters#figuresIgnoredReports()}). {@link #BEYOND_SENT_LIMIT} reports in a row beyond what was sent (the
 * receiver's count took forged sequences) start the flow's count afresh ({@link GenCounters#restartedCounts()}), its
 * figures so far kept.
 * <p>
 * Threading: the generator's thread. Sending and counting allocate nothing.
 */
final class StreamFlows
{
    /** How long a RECEIVE waits for its first report before it is sent again. */
    static final long RETRY_NS = 200_000_000L;
    /**
     * Reports in a row beyond what was sent after which a flow's count starts afresh: no real receiver reports a
     * sequence never sent: its count took forged datagrams (two in a row far ahead) and would never be believed again.
     */
    static final int BEYOND_SENT_LIMIT = 3;
    /** How long an END waits for the final report before it is sent again. */
    static final long END_RETRY_NS = 50_000_000L;
    /** The report interval asked for while datagrams come. */
    static final long REPORT_INTERVAL_NS = 1_000_000L;

    private final TrafficGenerator generator;
    private final FrameBuilder builder = new FrameBuilder();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private int flows;
    private int port;
    private int nonceSource = (int)System.nanoTime();

    private boolean forward;
    private boolean paced;
    private int every;
    /** Per flow its credit, whose {@link StreamCredit#sent()} is the sequence of the flow's next datagram. */
    private final StreamCredit[] credits = new StreamCredit[TrafficGenerator.MAX_FLOWS];
    private final int[] nonces = new int[TrafficGenerator.MAX_FLOWS];
    /**
     * Per flow the nonce of the count its RECEIVE replaces (the receiver may still count it: an earlier run's unended
     * count, or this run's before the warm-up's end), carried with {@link StreamControlDescriptor#FLAG_REPLACES} so the
     * receiver restarts a live count for gen, never for a spoofer who knows only gen's address and port.
     */
    private final int[] replacedNonces = new int[TrafficGenerator.MAX_FLOWS];
    /** Per flow whether its RECEIVE carries {@link #replacedNonces} (a run began before, or the count restarted). */
    private final boolean[] replacesNow = new boolean[TrafficGenerator.MAX_FLOWS];
    /** A run began before: its flows' nonces may still be counted (a run whose ENDs went unanswered). */
    private boolean begun;
    private final long[] bases = new long[TrafficGenerator.MAX_FLOWS];
    private final boolean[] acknowledged = new boolean[TrafficGenerator.MAX_FLOWS];
    private final boolean[] finished = new boolean[TrafficGenerator.MAX_FLOWS];
    /** The measured count's first sequence (0, or the warm-up's end), and the figures of its earlier counts. */
    private final long[] countBase = new long[TrafficGenerator.MAX_FLOWS];
    private final long[] carriedFrames = new long[TrafficGenerator.MAX_FLOWS];
    private final long[] carriedPayload = new long[TrafficGenerator.MAX_FLOWS];
    private final long[] carriedOutOfOrder = new long[TrafficGenerator.MAX_FLOWS];
    private final long[] carriedDuplicates = new long[TrafficGenerator.MAX_FLOWS];
    private final int[] beyondSent = new int[TrafficGenerator.MAX_FLOWS];
    private long nextRequestNs;
    /** Each flow's sequence at the last keepalive check: unchanged at the next, the flow sends a KEEPALIVE. */
    private final long[] sentAtCheck = new long[TrafficGenerator.MAX_FLOWS];
    private long nextKeepaliveNs;
    private boolean refused;
    /** The ENDs went ({@link #end}): a RECEIVE now would restart an ended count. */
    private boolean ending;

    private final StreamReverseFlows reverse;

    StreamFlows(final TrafficGenerator generator)
    {
        this.generator = generator;
        this.reverse = new StreamReverseFlows(generator);
        for (int i = 0; i < TrafficGenerator.MAX_FLOWS; i++)
        {
            credits[i] = new StreamCredit(StreamCredit.MIN);
        }
    }

    /** A new run of {@code spec} from {@code nowNs}. */
    void begin(final DatagramSpec spec, final long nowNs)
    {
        flows = spec.flows();
        port = spec.port();
        forward = spec.oneWay() && spec.forward();
        paced = spec.window() > 0;
        final int window = Math.max(StreamCredit.MIN, spec.window() / flows);
        every = Math.max(1, window / 8);
        reverse.begin(flows, spec.reverse(), paced ? window : 0, every, REPORT_INTERVAL_NS, nowNs);
        for (int flow = 0; flow < flows; flow++)
        {
            replacedNonces[flow] = nonces[flow];
            replacesNow[flow] = begun;
            nonces[flow] = ++nonceSource;
            bases[flow] = 0;
            acknowledged[flow] = false;
            finished[flow] = false;
            measureFrom(flow, 0);
            credits[flow].start(window, 0, nowNs); // unpaced too: it judges the reports and numbers the datagrams
            sentAtCheck[flow] = 0;
        }
        begun = true;
        nextRequestNs = nowNs;
        nextKeepaliveNs = nowNs + StreamSink.KEEPALIVE_NS;
        refused = false;
        ending = false;
    }

    /** The peer answered a datagram to the stream's port with ICMP port unreachable: nothing there counts it. */
    void onRefused()
    {
        refused = true;
    }

    /** {@return whether the peer refused the stream's port} */
    boolean refused()
    {
        return refused;
    }

    /** {@return whether the run's forward datagrams are a one-way stream} */
    boolean forward()
    {
        return forward;
    }

    /**
     * Asks every flow's receiver to count (RECEIVE, again every {@link #RETRY_NS}) until each reported once or
     * {@code timeoutNs} passed.
     *
     * @return whether every flow's receiver answered.
     */
    boolean awaitReceivers(final long timeoutNs)
    {
        final long deadline = generator.clock.nanoTime() + timeoutNs;
        long now = generator.clock.nanoTime();
        while (now - deadline < 0)
        {
            if (allAcknowledged())
            {
                return true;
            }
            if (refused)
            {
                return false;
            }
            service(now);
            generator.idle(generator.poll());
            now = generator.clock.nanoTime();
        }
        return allAcknowledged();
    }

    private boolean allAcknowledged()
    {
        return all(acknowledged);
    }

    /** {@return whether {@code flags} holds for every flow} */
    private boolean all(final boolean[] flags)
    {
        for (int flow = 0; flow < flows; flow++)
        {
            if (!flags[flow])
            {
                return false;
            }
        }
        return true;
    }

    /** {@return whether {@code flow}'s next datagram may go (its credit has room, or the stream is not paced)} */
    boolean maySend(final int flow, final long nowNs)
    {
        return !paced || credits[flow].maySend(nowNs);
    }

    /** {@return the sequence number of {@code flow}'s next datagram (low 32 bits)} */
    int nextSequence(final int flow)
    {
        return (int)credits[flow].sent();
    }

    /** {@code flow}'s datagram went. */
    void onSent(final int flow)
    {
        credits[flow].onSend();
    }

    /**
     * The warm-up ended: the forward receivers count again from the next datagram (a new RECEIVE, a new nonce; until
     * its report the flow's receiver figures stay zero), the reverse counters' figures so far become the base.
     */
    void recount(final long nowNs)
    {
        for (int flow = 0; forward && flow < flows; flow++)
        {
            measureFrom(flow, credits[flow].sent());
            countAfresh(flow);
        }
        reverse.recount();
        nextRequestNs = nowNs + RETRY_NS;
        generator.frontend.flush();
    }

    /** The run's receiver figures of {@code flow} count from {@code sequence}, nothing carried. */
    private void measureFrom(final int flow, final long sequence)
    {
        countBase[flow] = sequence;
        carriedFrames[flow] = 0;
        carriedPayload[flow] = 0;
        carriedOutOfOrder[flow] = 0;
        carriedDuplicates[flow] = 0;
        beyondSent[flow] = 0;
    }

    /**
     * {@code flow}'s receiver counts again from the next datagram: a new RECEIVE, a new nonce, it as the base; the
     * RECEIVE names the count it replaces, so the receiver restarts the live count.
     */
    private void countAfresh(final int flow)
    {
        replacedNonces[flow] = nonces[flow];
        replacesNow[flow] = true;
        nonces[flow] = ++nonceSource;
        bases[flow] = credits[flow].sent();
        acknowledged[flow] = false;
        beyondSent[flow] = 0;
        credits[flow].newCount();
        sendReceive(flow);
    }

    /** {@code flow}'s RECEIVE: its nonce, base and report pace, and the count it replaces if any. */
    private int sendReceive(final int flow)
    {
        return replacesNow[flow]
            ? sendControl(flow, StreamControlDescriptor.RECEIVE, StreamControlDescriptor.FLAG_REPLACES, nonces[flow],
                every, bases[flow], REPORT_INTERVAL_NS, StreamControlDescriptor.replacedNonce(replacedNonces[flow]))
            : sendControl(flow, StreamControlDescriptor.RECEIVE, 0, nonces[flow], every, bases[flow],
                REPORT_INTERVAL_NS, 0);
    }

    /**
     * Once per duty cycle: RECEIVEs not yet answered are sent again when due (until the ENDs go), a KEEPALIVE for each
     * counted flow that sent nothing since the last check ({@link StreamSink#KEEPALIVE_NS} ago: a stream slower than
     * the receiver's eviction time keeps its slot), reverse reports when due.
     *
     * @return control datagrams sent.
     */
    int service(final long nowNs)
    {
        int work = 0;
        if (forward && !ending && nowNs - nextKeepaliveNs >= 0)
        {
            for (int flow = 0; flow < flows; flow++)
            {
                final long sent = credits[flow].sent();
                if (acknowledged[flow] && sent == sentAtCheck[flow])
                {
                    work += sendControl(flow, StreamControlDescriptor.KEEPALIVE, 0, nonces[flow], 0, sent, 0, 0);
                }
                sentAtCheck[flow] = sent;
            }
            nextKeepaliveNs = nowNs + StreamSink.KEEPALIVE_NS;
        }
        if (forward && !ending && nowNs - nextRequestNs >= 0)
        {
            for (int flow = 0; flow < flows; flow++)
            {
                if (!acknowledged[flow])
                {
                    work += sendReceive(flow);
                }
            }
            nextRequestNs = nowNs + RETRY_NS;
        }
        return work + reverse.service(nowNs);
    }

    /**
     * Ends the forward streams: END to every flow (again every {@link #END_RETRY_NS}) until each final report came or
     * {@code timeoutNs} passed; the flows whose final report did not come are counted
     * ({@link GenCounters#missingFinalReports()}: their receiver figures are not final).
     *
     * @return whether every final report came.
     */
    boolean end(final long timeoutNs)
    {
        final long start = generator.clock.nanoTime();
        long now = start;
        long nextEnd = now;
        ending = true;
        while (now - start < timeoutNs)
        {
            if (all(finished))
            {
                return true;
            }
            if (now - nextEnd >= 0)
            {
                for (int flow = 0; flow < flows; flow++)
                {
                    if (!finished[flow])
                    {
                        sendControl(flow, StreamControlDescriptor.END, 0, nonces[flow], 0, credits[flow].sent(), 0, 0);
                    }
                }
                generator.frontend.flush();
                nextEnd = now + END_RETRY_NS;
            }
            generator.idle(generator.poll() + service(now));
            now = generator.clock.nanoTime();
        }
        if (all(finished))
        {
            return true; // the last came with the last poll
        }
        for (int flow = 0; flow < flows; flow++)
        {
            generator.counters.finalReportMissing[flow] = !finished[flow];
            generator.counters.missingFinalReports += finished[flow] ? 0 : 1;
        }
        return false;
    }

    private int sendControl(
        final int flow, final int type, final int flags, final int nonce, final int reportEvery, final long a,
        final long b, final long c)
    {
        builder.wrap(frame, 0).ethernet(generator.destinationMac(), generator.stack().mac())
            .ipv4(generator.stack().ipv4(), generator.destinationIp).identification(0)
            .udp(TrafficGenerator.SOURCE_PORT + flow, port);
        final int length = StreamControlDescriptor.write(frame, builder.payloadOffset(), type, flags, nonce,
            reportEvery, a, b, c, 0, 0);
        if (generator.frontend.transmit(frame, 0, builder.payloadLength(length).build()) != VifFrontend.OK)
        {
            return 0;
        }
        generator.counters.controlSent++;
        return 1;
    }

    /**
     * A control datagram from the peer's stream port to {@code flow}'s port: a report of the flow's forward stream
     * (its figures become the flow's receiver figures and feed its credit), anything else counted and ignored.
     */
    void onControl(final int flow, final DirectBuffer buffer, final int payload, final int length)
    {
        final GenCounters run = generator.counters;
        if (!forward || !StreamControlDescriptor.isValid(buffer, payload, length) ||
            StreamControlDescriptor.type(buffer, payload) != StreamControlDescriptor.REPORT)
        {
            run.malformedReports++;
            return;
        }
        if (StreamControlDescriptor.nonce(buffer, payload) != nonces[flow])
        {
            run.otherNonceReports++;
            return;
        }
        final long received = StreamControlDescriptor.a(buffer, payload);
        final long expected = StreamControlDescriptor.c(buffer, payload);
        final long duplicates = StreamControlDescriptor.e(buffer, payload);
        final int taken =
            credits[flow].onReport(expected, received, duplicates, bases[flow], generator.clock.nanoTime());
        if (taken == StreamCredit.IGNORED)
        {
            run.unbelievedReports++; // the right nonce, but stale or beyond what was sent
            if (expected > credits[flow].sent() && ++beyondSent[flow] >= BEYOND_SENT_LIMIT)
            {
                // the count took forged sequences: keep its last believed figures, count afresh from the next datagram
                // (those sent since its last believed report count as lost)
                carriedFrames[flow] = run.receiverFrames[flow];
                carriedPayload[flow] = run.receiverPayloadBytes[flow];
                carriedOutOfOrder[flow] = run.receiverOutOfOrder[flow];
                carriedDuplicates[flow] = run.receiverDuplicates[flow];
                run.restartedCounts++;
                countAfresh(flow);
                generator.frontend.flush();
            }
            return;
        }
        beyondSent[flow] = 0;
        run.reportsIn++;
        if (taken == StreamCredit.TAKEN)
        {
            run.receiverFrames[flow] = carriedFrames[flow] + received;
            run.receiverPayloadBytes[flow] = carriedPayload[flow] + StreamControlDescriptor.b(buffer, payload);
            run.receiverExpected[flow] = Math.max(0, expected - countBase[flow]);
            run.receiverOutOfOrder[flow] = carriedOutOfOrder[flow] + StreamControlDescriptor.d(buffer, payload);
            run.receiverDuplicates[flow] = carriedDuplicates[flow] + duplicates;
            run.receiverJitterNs[flow] = StreamControlDescriptor.jitterNs(buffer, payload, length);
        }
        else
        {
            run.figuresIgnoredReports++; // the window moved; the figures stay the last believed ones
        }
        acknowledged[flow] = true;
        if ((StreamControlDescriptor.flags(buffer, payload) & StreamControlDescriptor.FLAG_FINAL) != 0)
        {
            finished[flow] = true;
        }
    }

    /** {@return the reverse half: what the peer streams to gen, and gen's reports to it} */
    StreamReverseFlows reverse()
    {
        return reverse;
    }

    /** {@return {@code flow}'s credit (meaningful when the forward stream is paced)} */
    StreamCredit credit(final int flow)
    {
        return credits[flow];
    }

    /** {@return whether the forward stream is paced by the receiver's reports} */
    boolean paced()
    {
        return forward && paced;
    }

    /** {@return the flows of the run} */
    int flows()
    {
        return flows;
    }
}

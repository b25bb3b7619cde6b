package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.engine.VifFrontend;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The reverse half of a {@link TrafficGenerator} run's one-way UDP streams ({@link StreamFlows} is the forward half and
 * owns this one): per flow a {@link StreamCounter} of what the peer streams (received, late, duplicates, highest
 * sequence), and, when the stream request carried a window, a report to the peer every few datagrams and every
 * millisecond, which paces it. A peer that sends beyond the window and gen's latest report (an older guest ignores the
 * request's window and streams as fast as its ring takes datagrams) is told by the datagrams' sequence numbers
 * ({@link #overrun()}).
 * <p>
 * Threading: the generator's thread. Counting and reporting allocate nothing.
 */
final class StreamReverseFlows
{
    private final TrafficGenerator generator;
    private final FrameBuilder builder = new FrameBuilder();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private final StreamReporter[] reporters = new StreamReporter[TrafficGenerator.MAX_FLOWS];
    /** The counters' figures at the warm-up's end: the run's figures count from them. */
    private final long[] expectedBase = new long[TrafficGenerator.MAX_FLOWS];
    private final long[] lateBase = new long[TrafficGenerator.MAX_FLOWS];
    private final long[] duplicateBase = new long[TrafficGenerator.MAX_FLOWS];
    private final PollArrival arrival;
    private int flows;
    /** The run has reverse streams (their counters' figures become the run's base at the warm-up's end). */
    private boolean streaming;
    /** The window per flow the request asks the peer to keep beyond gen's reports; 0: not paced (no reports). */
    private int window;
    /** Most datagrams a reverse stream's sender was ahead of gen's reports beyond the window and its probes. */
    private long overrun;
    private int nonceSource = (int)System.nanoTime();

    StreamReverseFlows(final TrafficGenerator generator)
    {
        this.generator = generator;
        this.arrival = new PollArrival(generator.clock);
        for (int i = 0; i < TrafficGenerator.MAX_FLOWS; i++)
        {
            reporters[i] = new StreamReporter();
        }
    }

    /**
     * A new run of {@code flows} flows from {@code nowNs}, with reverse streams when {@code streaming}, paced by reports
     * every {@code every} datagrams and every {@code intervalNs} when {@code window} is positive.
     */
    void begin(
        final int flows, final boolean streaming, final int window, final int every, final long intervalNs,
        final long nowNs)
    {
        this.flows = flows;
        this.streaming = streaming;
        this.window = streaming ? window : 0;
        for (int flow = 0; flow < flows; flow++)
        {
            reporters[flow].start(++nonceSource, 0, every, intervalNs, nowNs);
            expectedBase[flow] = 0;
            lateBase[flow] = 0;
            duplicateBase[flow] = 0;
        }
        overrun = 0;
    }

    /** The warm-up ended: the counters' figures so far become the base of the run's. */
    void recount()
    {
        for (int flow = 0; streaming && flow < flows; flow++)
        {
            final StreamCounter counter = reporters[flow].counter();
            expectedBase[flow] = counter.expected();
            lateBase[flow] = counter.outOfOrder();
            duplicateBase[flow] = counter.duplicates();
        }
    }

    /**
     * Once per duty cycle: a paced stream's reports that are due go to its sender.
     *
     * @return reports sent.
     */
    int service(final long nowNs)
    {
        if (window == 0)
        {
            return 0;
        }
        int work = 0;
        for (int flow = 0; flow < flows; flow++)
        {
            final StreamReporter reporter = reporters[flow];
            if (reporter.due(nowNs))
            {
                final int length = reporter.build(builder, frame, generator.destinationMac(), generator.stack().mac(),
                    generator.stack().ipv4(), generator.destinationIp, TrafficGenerator.SOURCE_PORT + flow,
                    StreamSource.PORT, false);
                if (generator.frontend.transmit(frame, 0, length) == VifFrontend.OK)
                {
                    reporter.sent(nowNs);
                    generator.counters.reportsOut++;
                    work++;
                }
            }
        }
        return work;
    }

    /**
     * A datagram of {@code flow}'s reverse stream: counted by its sequence number (for the reports to its sender from
     * the stream's start, for the run's figures from the warm-up's end).
     */
    void onDatagram(final int flow, final DirectBuffer buffer, final int payload, final int size)
    {
        final StreamCounter counter = reporters[flow].counter();
        if (size >= GenPayloadDescriptor.LENGTH)
        {
            final long arrivalNs = arrival.arrivalNs(); // once per poll: a batch's datagrams arrive together
            final long transitNs = arrivalNs - GenPayloadDescriptor.sendTimeNs(buffer, payload);
            final long number = counter.onDatagram(GenPayloadDescriptor.sequence(buffer, payload), size, transitNs);
            if (window > 0)
            {
                // a paced sender's next datagram is at most its window and its timeouts' probes beyond the reports it
                // got, which are gen's latest or older: further is a sender that does not pace
                final StreamReporter reporter = reporters[flow];
                final long beyond = number + 1 - reporter.reportedExpected() -
                    StreamCredit.mostBeyondReport(window, arrivalNs - reporter.lastReportNs());
                overrun = Math.max(overrun, beyond);
            }
            if (number < expectedBase[flow])
            {
                return; // streamed in the warm-up, arrived after it: reported to the sender, not measured
            }
        }
        else
        {
            counter.onUnnumbered(size);
        }
        final GenCounters run = generator.counters;
        run.receivedFrames[flow]++;
        run.receivedPayloadBytes[flow] += size;
        run.receivedExpected[flow] = counter.expected() - expectedBase[flow];
        run.receivedLate[flow] = counter.outOfOrder() - lateBase[flow];
        run.receivedDuplicates[flow] = counter.duplicates() - duplicateBase[flow];
        run.receivedJitterNs[flow] = counter.jitterNs();
    }

    /** A poll begins: its first datagram reads the clock for the batch's arrival. */
    void newPoll()
    {
        arrival.nextPoll();
    }

    /** {@return the window the reverse stream's request asks for per flow (0: unpaced)} */
    int window()
    {
        return window;
    }

    /**
     * {@return how many datagrams the reverse streams' sender went furthest beyond gen's latest report, its window and
     * a timeout's probes: 0 when it held to the window (or the stream was not paced)}
     */
    long overrun()
    {
        return overrun;
    }

    /** {@return the nonce of {@code flow}'s reverse reports} */
    int nonce(final int flow)
    {
        return reporters[flow].nonce();
    }
}

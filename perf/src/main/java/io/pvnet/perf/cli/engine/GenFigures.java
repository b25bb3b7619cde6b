package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.GenCounters;

/**
 * An interval's figures of one direction of {@code pvnet gen}'s output, summed over flows as a {@code [SUM]} line sums
 * them: sent or received frames and payload, echoes answered, and what the receiver counted (a one-way stream's, as
 * reported; gen's own for a reverse stream: expected, late, duplicates), TCP's segments sent again and congestion
 * window, and the mean
 * jitter of the flows that measured one (iperf3's sum). {@link GenSummary} takes its mean jitter over the flows from here too.
 * <p>
 * Threading: one thread, the one that fills it.
 */
final class GenFigures
{
    long frames;
    long payload;
    long answered;
    /** TCP: segments sent again (iperf3's Retr), apart from {@link #frames}. */
    long retransmits;
    /**
     * TCP: the sending connection's congestion window in bytes at the interval's end (iperf3's {@code snd_cwnd}), -1
     * for none: a sum of one flow has that flow's, of more none (iperf3's {@code [SUM]} line has no Cwnd).
     */
    long congestionWindow = -1;
    private int added;
    long expected;
    long late;
    long duplicates;
    long receiverFrames;
    long receiverPayload;
    /** Jitter of the flows that have one (summed, and how many): a sum's is their mean, as iperf3's. */
    private long jitterSumNs;
    private int jitters;

    /** A flow's jitter: counted when it measured one ({@code ns >= 0}), left out when not (-1, an older receiver). */
    void jitter(final long ns)
    {
        if (ns >= 0)
        {
            jitterSumNs += ns;
            jitters++;
        }
    }

    /** {@return the mean jitter of the flows that measured one, -1 when none did} */
    long jitterNs()
    {
        return jitters == 0 ? -1 : jitterSumNs / jitters;
    }

    /** Adds a flow's figures (a {@code [SUM]} line's). */
    void add(final GenFigures other)
    {
        jitterSumNs += other.jitterSumNs;
        jitters += other.jitters;
        frames += other.frames;
        payload += other.payload;
        answered += other.answered;
        retransmits += other.retransmits;
        congestionWindow = added++ == 0 ? other.congestionWindow : -1;
        expected += other.expected;
        late += other.late;
        duplicates += other.duplicates;
        receiverFrames += other.receiverFrames;
        receiverPayload += other.receiverPayload;
    }

    /** {@return the mean over {@code counters}' flows of a jitter counter, of those flows that measured one; -1: none} */
    static long meanJitter(final GenCounters counters, final GenCounters.Counter jitter)
    {
        final GenFigures mean = new GenFigures();
        for (int flow = 0; flow < counters.flows(); flow++)
        {
            mean.jitter(jitter.value(counters, flow));
        }
        return mean.jitterNs();
    }

    /** {@return an interval's loss as the receiver of a one-way stream saw it: numbered, not (yet) received} */
    long receiverLost()
    {
        return Math.max(0, expected - (receiverFrames - duplicates));
    }

    /** {@return an interval's loss of a stream gen received: numbered, not received} */
    long streamLost()
    {
        return Math.max(0, expected - (frames - duplicates));
    }

    /** The counters an interval's figures are the growth of, per flow. */
    enum Field
    {
        SENT_FRAMES(GenCounters::sentFrames),
        SENT_PAYLOAD(GenCounters::sentPayloadBytes),
        ANSWERED(GenCounters::answeredFrames),
        ANSWERED_PAYLOAD(GenCounters::answeredPayloadBytes),
        RECEIVED(GenCounters::receivedFrames),
        RECEIVED_PAYLOAD(GenCounters::receivedPayloadBytes),
        RECEIVED_EXPECTED(GenCounters::receivedExpected),
        RECEIVED_LATE(GenCounters::receivedLate),
        RECEIVED_DUPLICATES(GenCounters::receivedDuplicates),
        RECEIVER_FRAMES(GenCounters::receiverFrames),
        RECEIVER_PAYLOAD(GenCounters::receiverPayloadBytes),
        RECEIVER_EXPECTED(GenCounters::receiverExpected),
        RECEIVER_LATE(GenCounters::receiverOutOfOrder),
        RECEIVER_DUPLICATES(GenCounters::receiverDuplicates),
        RETRANSMITTED(GenCounters::retransmittedFrames);

        static final Field[] ALL = values();

        private final GenCounters.Counter counter;

        Field(final GenCounters.Counter counter)
        {
            this.counter = counter;
        }

        /** {@return this counter's value for {@code flow}} */
        long value(final GenCounters counters, final int flow)
        {
            return counter.value(counters, flow);
        }
    }
}

package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.FrameBuilder;
import org.agrona.MutableDirectBuffer;

/**
 * The receiving end of one numbered stream and its reports to the sender ({@link StreamControlDescriptor#REPORT}),
 * as both receivers keep them: a {@code pvnet guest}'s {@link StreamSink} (gen's one-way streams) and gen's
 * {@link StreamFlows} (a guest's reverse streams). The count ({@link StreamCounter}) under the sender's nonce, and when
 * a report is due: {@code every} datagrams since the last, or the interval passed with datagrams unreported.
 * <p>
 * Threading: the receiver's thread. Allocates nothing.
 */
final class StreamReporter
{
    private final StreamCounter counter = new StreamCounter();
    private int nonce;
    private int every = 1;
    private long intervalNs;
    private long lastReportNs;
    private long reportedExpected;

    /**
     * Counts a stream of {@code nonce} from sequence {@code base}, reporting every {@code every} datagrams and every
     * {@code intervalNs} while datagrams come.
     *
     * @param nonce      the count's nonce (its reports carry it).
     * @param base       the first sequence of the count.
     * @param every      datagrams between reports (at least 1).
     * @param intervalNs longest time a datagram stays unreported.
     * @param nowNs      the clock now.
     */
    void start(final int nonce, final long base, final int every, final long intervalNs, final long nowNs)
    {
        this.nonce = nonce;
        counter.start(base);
        schedule(every, intervalNs);
        lastReportNs = nowNs;
        reportedExpected = base;
    }

    /**
     * Reports every {@code every} datagrams and every {@code intervalNs} from now on.
     *
     * @param every      datagrams between reports (at least 1).
     * @param intervalNs longest time a datagram stays unreported.
     */
    void schedule(final int every, final long intervalNs)
    {
        this.every = Math.max(1, every);
        this.intervalNs = intervalNs;
    }

    /**
     * {@return whether a report is due: {@code every} datagrams unreported, or some for the interval}
     *
     * @param nowNs the clock now.
     */
    boolean due(final long nowNs)
    {
        final long unreported = counter.unreported();
        return unreported >= every || (unreported > 0 && nowNs - lastReportNs >= intervalNs);
    }

    /**
     * {@return nanoseconds until the interval makes a report due (0 or less: now), {@link Long#MAX_VALUE} with nothing
     * unreported}
     *
     * @param nowNs the clock now.
     */
    long nanosToDue(final long nowNs)
    {
        return counter.unreported() > 0 ? lastReportNs + intervalNs - nowNs : Long.MAX_VALUE;
    }

    /**
     * Builds the report frame from {@code sourceIp:sourcePort} to {@code destinationIp:destinationPort} at offset 0 of
     * {@code frame}; {@link #sent} once the ring took it.
     *
     * @return the frame's length.
     */
    int build(
        final FrameBuilder builder, final MutableDirectBuffer frame, final long destinationMac, final long sourceMac,
        final int sourceIp, final int destinationIp, final int sourcePort, final int destinationPort,
        final boolean last)
    {
        builder.wrap(frame, 0).ethernet(destinationMac, sourceMac).ipv4(sourceIp, destinationIp).identification(0)
            .udp(sourcePort, destinationPort);
        final int length = StreamControlDescriptor.writeReport(frame, builder.payloadOffset(), nonce, counter, last);
        return builder.payloadLength(length).build();
    }

    /**
     * The report went.
     *
     * @param nowNs the clock now.
     */
    void sent(final long nowNs)
    {
        counter.reported();
        lastReportNs = nowNs;
        reportedExpected = counter.expected();
    }

    /** {@return the highest sequence + 1 of the latest report sent: a paced sender sends no more than its window beyond} */
    long reportedExpected()
    {
        return reportedExpected;
    }

    /** {@return the count} */
    StreamCounter counter()
    {
        return counter;
    }

    /** {@return the count's nonce} */
    int nonce()
    {
        return nonce;
    }
}

package io.pvnet.engine.guest;

/**
 * One slot of a {@link StreamSink}: the stream it counts (its peer's address and port, the count and its reports) and
 * where the stream stands: counting or free, ended (its final report owed or gone), a report asked for, and when it
 * was last heard, which decides whether another stream may take the slot ({@link #evictable}).
 * <p>
 * Threading: the sink's thread. Allocates nothing.
 */
final class StreamSinkSlot
{
    boolean counting;
    boolean ended;
    boolean reportNow;
    boolean finalReport;
    long mac;
    int ip;
    int port;
    final StreamReporter reporter = new StreamReporter();
    /** What the count had received at the last duty cycle: more since, the stream was heard. */
    private long lastSeenReceived;
    /** When anything of the stream last came (data, control): {@link StreamSink#IDLE_NS} after it, it is forgotten. */
    long lastActivityNs;
    /** When data or a keepalive last came (or the slot was claimed): RECEIVEs alone do not renew it. */
    long lastHeardNs;

    /**
     * A new count of the stream from {@code ip:port} (its reports to {@code mac}) under {@code nonce} from sequence
     * {@code base}; a slot just claimed or an ended count's reused ({@code claimed}) counts as heard now.
     */
    void start(
        final long mac, final int ip, final int port, final int nonce, final long base, final boolean claimed,
        final long nowNs)
    {
        if (claimed)
        {
            lastHeardNs = nowNs;
        }
        counting = true;
        ended = false;
        this.mac = mac;
        this.ip = ip;
        this.port = port;
        reporter.start(nonce, base, 1, StreamSink.MAX_INTERVAL_NS, nowNs);
        lastSeenReceived = 0;
    }

    /** The count ended (or its END or RECEIVE came again after): its final report goes (again). */
    void finalReportDue(final long nowNs)
    {
        ended = true;
        finalReport = true;
        reportNow = true;
        lastActivityNs = nowNs;
    }

    /** The stream lives (a keepalive, or data counted since the last duty cycle). */
    void heard(final long nowNs)
    {
        lastHeardNs = nowNs;
        lastActivityNs = nowNs;
    }

    /** Once per duty cycle: data counted since the last makes the stream heard now. */
    void noteArrivals(final long nowNs)
    {
        final long received = reporter.counter().received();
        if (received != lastSeenReceived)
        {
            lastSeenReceived = received;
            heard(nowNs);
        }
    }

    /** {@return whether the stream counts on, heard within {@link StreamSink#EVICT_IDLE_NS}: not ended} */
    boolean live(final long nowNs)
    {
        return !ended && nowNs - lastHeardNs < StreamSink.EVICT_IDLE_NS;
    }

    /** {@return whether the stream ended and its final report went out: the slot holds nothing} */
    boolean done()
    {
        return ended && !finalReport;
    }

    /**
     * {@return whether a new stream may take the slot: nothing left to report, and ended or not heard for
     * {@link StreamSink#EVICT_IDLE_NS}} A live stream (heard lately) never gives its slot.
     */
    boolean evictable(final long nowNs)
    {
        return !reportNow && reporter.counter().unreported() == 0 &&
            (ended || nowNs - lastHeardNs >= StreamSink.EVICT_IDLE_NS);
    }

    /** {@return whether this slot gives way before {@code other}: ended first, then least recently heard} */
    boolean givesWayBefore(final StreamSinkSlot other)
    {
        return ended != other.ended ? ended : lastHeardNs - other.lastHeardNs < 0;
    }

    /** Its report went: nothing more asked for. */
    void reported(final long nowNs)
    {
        reporter.sent(nowNs);
        reportNow = false;
        finalReport = false;
    }
}

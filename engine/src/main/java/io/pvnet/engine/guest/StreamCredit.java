package io.pvnet.engine.guest;

/**
 * How many datagrams the sender of a one-way stream keeps in flight beyond what its receiver reported
 * ({@link StreamControlDescriptor#REPORT}): credit, so the data crosses the switch once, only a report every few
 * frames comes back, and the queue in front of the receiver never holds more than the window (a flood filled the
 * switch's queue to a slower receiver and lost a third of a reverse stream).
 * <ul>
 *   <li><b>In flight</b> = sent - reported {@code expected} (highest sequence seen + 1): the path keeps order, so a
 *       datagram below the highest seen that did not arrive was lost and holds no credit.</li>
 *   <li><b>Window</b>: starts at its largest (the caller sizes it to fit the queues on the way); a report showing new
 *       loss halves it, once per window (as NewReno); it grows back by one per window of datagrams reported.</li>
 *   <li><b>Timeout</b>: a full window without a report advancing for {@link #TIMEOUT_NS} (the tail of a window lost,
 *       or its report) halves the window and lets {@link #MIN} probes go beyond it: when they arrive, the receiver's
 *       highest sequence passes the lost tail and the next report frees the window. Only probes, not a second
 *       window: a receiver merely descheduled that long (a loaded machine) finds a queue a few datagrams longer, not
 *       twice as long.</li>
 * </ul>
 * Threading: the sender's thread only. Allocates nothing.
 */
public final class StreamCredit
{
    /** The smallest window. */
    public static final int MIN = 8;
    /**
     * The default largest window: 2048 64-byte datagrams (217 KiB of frames) keep a path of some 2.5 Mpps busy across
     * a receiver's report interval; the caller caps it to {@link #DEFAULT_BYTES} of frames for larger datagrams.
     */
    public static final int DEFAULT_MAX = 2048;
    /** Frame bytes in flight a default window holds at most: under the switch's 512 KiB queue to a vif. */
    public static final int DEFAULT_BYTES = 384 * 1024;
    /** A full window waits this long for a report before its datagrams are presumed lost. */
    public static final long TIMEOUT_NS = 100_000_000L;

    private int max;
    private int window;
    private long sent;
    private long acked;
    private long recover;
    private long lostReported;
    private int growth;
    private int probes;
    private long lastProgressNs;
    private boolean reported;
    private int largest;
    private int smallest;
    private long losses;
    private long timeouts;
    private long reports;

    /**
     * A credit window of at most {@code max} datagrams.
     *
     * @param max the largest window (at least {@link #MIN}).
     */
    public StreamCredit(final int max)
    {
        start(max, 0, 0);
    }

    /**
     * {@return the default window for datagrams of {@code meanFrameBytes}: {@link #DEFAULT_MAX}, fewer where that
     * many would hold more than {@link #DEFAULT_BYTES} of frames, never below {@link #MIN}}
     *
     * @param meanFrameBytes the mean frame length (Ethernet header on) of the stream.
     */
    public static int defaultWindow(final int meanFrameBytes)
    {
        return Math.max(MIN, Math.min(DEFAULT_MAX, DEFAULT_BYTES / Math.max(1, meanFrameBytes)));
    }

    /**
     * A new stream (or a new count of it) whose next datagram is {@code firstSequence}: nothing in flight, the full
     * window.
     *
     * @param max           the largest window (at least {@link #MIN}).
     * @param firstSequence the sequence of the next datagram.
     * @param nowNs         the clock now.
     */
    public void start(final int max, final long firstSequence, final long nowNs)
    {
        if (max < MIN)
        {
            throw new IllegalArgumentException("window=" + max + " below " + MIN);
        }
        this.max = max;
        window = max;
        sent = firstSequence;
        acked = firstSequence;
        recover = firstSequence;
        lostReported = 0;
        growth = 0;
        probes = 0;
        lastProgressNs = nowNs;
        reported = false;
        largest = max;
        smallest = max;
        losses = 0;
        timeouts = 0;
        reports = 0;
    }

    /**
     * Whether the next datagram may go: fewer than the window in flight, or a probe after a full window waited out its
     * timeout (which halves the window).
     *
     * @param nowNs the clock now.
     * @return whether to send.
     */
    public boolean maySend(final long nowNs)
    {
        if (sent - acked < window || probes > 0)
        {
            return true;
        }
        if (nowNs - lastProgressNs >= TIMEOUT_NS)
        {
            timeouts++;
            shrink();
            recover = sent;
            probes = MIN;
            lastProgressNs = nowNs;
            return true;
        }
        return false;
    }

    /** The datagram went: one more in flight. */
    public void onSend()
    {
        sent++;
        if (probes > 0)
        {
            probes--;
        }
    }

    /**
     * A report: the receiver saw sequences up to {@code expected - 1} and misses {@code lost} of those in its count.
     *
     * @param expected the receiver's highest sequence + 1.
     * @param lost     datagrams its count misses so far (grows on a loss).
     * @param nowNs    the clock now.
     */
    public void onReport(final long expected, final long lost, final long nowNs)
    {
        reports++;
        reported = true;
        final long before = acked;
        if (expected > acked && expected <= sent)
        {
            final long advance = expected - acked;
            acked = expected;
            lastProgressNs = nowNs;
            probes = 0;
            if (window < max && (growth += (int)Math.min(advance, window)) >= window)
            {
                growth = 0;
                window++;
                largest = Math.max(largest, window);
            }
        }
        if (lost > lostReported)
        {
            lostReported = lost;
            if (before >= recover) // a loss among datagrams sent after the last decrease: a new one
            {
                losses++;
                shrink();
                recover = sent;
            }
        }
    }

    private void shrink()
    {
        window = Math.max(MIN, window / 2);
        smallest = Math.min(smallest, window);
        growth = 0;
    }

    /**
     * {@return nanoseconds until a full window's timeout, {@link Long#MAX_VALUE} when the window has room} (when the
     * sender's thread must wake if no report comes).
     *
     * @param nowNs the clock now.
     */
    public long nanosToTimeout(final long nowNs)
    {
        return sent - acked < window || probes > 0 ? Long.MAX_VALUE : lastProgressNs + TIMEOUT_NS - nowNs;
    }

    /** {@return the window now} */
    public int window()
    {
        return window;
    }

    /** {@return the largest window allowed} */
    public int max()
    {
        return max;
    }

    /** {@return the smallest window of the stream} */
    public int smallest()
    {
        return smallest;
    }

    /** {@return datagrams sent beyond the latest report} */
    public long inFlight()
    {
        return sent - acked;
    }

    /** {@return the sequence of the next datagram} */
    public long sent()
    {
        return sent;
    }

    /** {@return whether any report came} */
    public boolean reported()
    {
        return reported;
    }

    /** {@return reports received} */
    public long reports()
    {
        return reports;
    }

    /** {@return losses that halved the window} */
    public long losses()
    {
        return losses;
    }

    /** {@return full windows that waited out their timeout} */
    public long timeouts()
    {
        return timeouts;
    }

    @Override
    public String toString()
    {
        return "window " + window + " (max " + max + ", smallest " + smallest + "), in flight " + inFlight() +
            ", reports " + reports + ", losses " + losses + ", timeouts " + timeouts;
    }
}

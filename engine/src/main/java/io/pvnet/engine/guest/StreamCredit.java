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

    /** {@link #onReport}: the report moved the window and its loss figures were taken. */
    public static final int TAKEN = 0;
    /** {@link #onReport}: the report moved the window, but its loss figures are none a receiver could count. */
    public static final int FIGURES_IGNORED = 1;
    /** {@link #onReport}: the report was ignored: stale, or beyond what was sent. */
    public static final int IGNORED = 2;

    private final InFlightWindow book = new InFlightWindow();
    private long lostReported;
    private int probes;
    private long reports;
    private long ignored;
    private long figuresIgnored;

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
        book.start(max, MIN, max, firstSequence, nowNs);
        lostReported = 0;
        probes = 0;
        reports = 0;
        ignored = 0;
        figuresIgnored = 0;
    }

    /**
     * {@return the most datagrams a sender of this credit can have sent beyond a report it took {@code sinceReportNs}
     * ago: its window and {@link #MIN} probes per {@link #TIMEOUT_NS} waited since, with one round to spare (a report
     * that went just before)} A receiver judging whether its sender paces ({@code gen --reverse}) allows this much: a
     * receiver descheduled for some timeouts, or reports lost on the way, let a well-behaved sender probe further.
     *
     * @param window        the window the sender was asked to keep.
     * @param sinceReportNs nanoseconds since the report was sent (not negative).
     */
    public static long mostBeyondReport(final int window, final long sinceReportNs)
    {
        return window + (long)MIN * (2 + Math.max(0, sinceReportNs) / TIMEOUT_NS);
    }

    /** The receiver counts afresh (a new RECEIVE): its loss figures start again from none. */
    public void newCount()
    {
        lostReported = 0;
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
        if (book.hasRoom() || probes > 0)
        {
            return true;
        }
        if (nowNs - book.lastProgressNs() >= TIMEOUT_NS)
        {
            book.timedOut(nowNs);
            book.halve();
            probes = MIN;
            return true;
        }
        return false;
    }

    /** The datagram went: one more in flight. */
    public void onSend()
    {
        book.onSend();
        if (probes > 0)
        {
            probes--;
        }
    }

    /**
     * A report of the receiver's count that started at sequence {@code base}: it saw sequences up to
     * {@code expected - 1} and received {@code received} datagrams of them, {@code duplicates} twice. The loss it shows
     * (numbered, not received) halves the window when it grew since the previous report, once per window.
     * <p>
     * A report is believed only as far as a real receiver could have written it (a forged one with the right nonce and
     * a spoofed source, or a stale one), its highest sequence and its loss apart: {@code expected} between the latest
     * report's and what was sent, at least {@code base}, moves the window (else the report is ignored and counted,
     * {@link #ignored()}); distinct datagrams ({@code received - duplicates}) negative or more than were numbered leave
     * the loss as it was ({@link #figuresIgnored()}): one spoofed data datagram can make a receiver's figures wrong for
     * the rest of its count, and a window that waited on figures it could never believe would stall. The loss taken is
     * the latest believed report's, not the highest ever seen: a loss figure that went down (late datagrams filled a
     * gap, or a forged figure was followed by a real one) hides no later loss.
     *
     * @param expected   the receiver's highest sequence + 1 (sequences are the sender's, from its first).
     * @param received   datagrams it received in this count, duplicates included.
     * @param duplicates datagrams it received twice.
     * @param base       the first sequence of the count (the RECEIVE's base; 0 for a stream counted from its start).
     * @param nowNs      the clock now.
     * @return {@link #TAKEN}, {@link #FIGURES_IGNORED} (the window moved, the loss figures were not believed) or
     *         {@link #IGNORED}.
     */
    public int onReport(
        final long expected, final long received, final long duplicates, final long base, final long nowNs)
    {
        final long before = book.acked();
        if (expected < before || expected > book.sent() || expected < base)
        {
            ignored++;
            return IGNORED;
        }
        reports++;
        if (expected > before)
        {
            book.grow(book.acknowledge(expected, nowNs));
            probes = 0;
        }
        final long numbered = expected - base;
        final long distinct = received - duplicates;
        if (duplicates < 0 || distinct < 0 || distinct > numbered)
        {
            figuresIgnored++;
            return FIGURES_IGNORED;
        }
        final long lost = numbered - distinct;
        if (lost > lostReported)
        {
            book.lost(before); // a loss among datagrams sent after the last decrease: a new one
        }
        lostReported = lost;
        return TAKEN;
    }

    /**
     * {@return nanoseconds until a full window's timeout, {@link Long#MAX_VALUE} when the window has room} (when the
     * sender's thread must wake if no report comes).
     *
     * @param nowNs the clock now.
     */
    public long nanosToTimeout(final long nowNs)
    {
        return book.hasRoom() || probes > 0 ? Long.MAX_VALUE : book.lastProgressNs() + TIMEOUT_NS - nowNs;
    }

    /** {@return the window now} */
    public int window()
    {
        return book.window();
    }

    /** {@return the largest window allowed} */
    public int max()
    {
        return book.max();
    }

    /** {@return the smallest window of the stream} */
    public int smallest()
    {
        return book.smallest();
    }

    /** {@return datagrams sent beyond the latest report} */
    public long inFlight()
    {
        return book.inFlight();
    }

    /** {@return the sequence of the next datagram} */
    public long sent()
    {
        return book.sent();
    }

    /** {@return reports received} */
    public long reports()
    {
        return reports;
    }

    /** {@return reports ignored: stale or beyond what was sent} */
    public long ignored()
    {
        return ignored;
    }

    /** {@return reports that moved the window but whose loss figures no receiver could count (not taken)} */
    public long figuresIgnored()
    {
        return figuresIgnored;
    }

    /** {@return losses that halved the window} */
    public long losses()
    {
        return book.losses();
    }

    /** {@return full windows that waited out their timeout} */
    public long timeouts()
    {
        return book.timeouts();
    }

    @Override
    public String toString()
    {
        return "window " + window() + " (max " + max() + ", smallest " + smallest() + "), in flight " + inFlight() +
            ", reports " + reports + " (" + ignored + " ignored, " + figuresIgnored + " figures ignored), losses " +
            losses() + ", timeouts " + timeouts();
    }
}

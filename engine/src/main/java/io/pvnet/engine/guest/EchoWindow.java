package io.pvnet.engine.guest;

/**
 * How many echo requests {@link TrafficGenerator} keeps in flight to a peer that answers them (a {@code pvnet guest}'s
 * echo port, a UDP echo socket, the kernel's ICMP echo): a congestion window as TCP's, so an unpaced run sends at the
 * rate the path answers, with almost no loss and a round trip of the path rather than of a full queue (flooding filled
 * the switch's queue to the echoing guest: 54 % {@code queue-full} and a 19 ms p50 in one run).
 * <ul>
 *   <li><b>In flight</b> = requests sent after the latest one answered. Each request carries its send number in its
 *       probe ({@link GenPayloadDescriptor}); the path keeps order (one vif queue, FIFO rings and queues), so requests
 *       sent before an answered one that have not been answered were lost.</li>
 *   <li><b>Growth</b>: slow start (+1 per answer, twice the window per round trip) up to the threshold, then +1 per
 *       window's worth of answers; never above {@code max}.</li>
 *   <li><b>Loss</b> (a gap before an answered request): the window halves, once per window of requests (as NewReno).
 *       <b>Queueing</b>: when a round's smallest round trip is more than twice the smallest of the run and
 *       {@link #QUEUE_DELAY_NS} above it, requests wait in a queue rather than in the path: the window shrinks by an
 *       eighth, once per round (a delay signal as TCP Vegas', so the queue stays short before anything is lost).</li>
 *   <li><b>Timeout</b>: once answers came, a full window without an answer for {@link #MIN_TIMEOUT_NS} (or four
 *       smoothed round trips) presumes what is in flight lost and starts again from {@link #MIN}.</li>
 *   <li><b>No echoes</b>: no answer for {@link #NO_ECHO_NS}, or an ICMP port unreachable for the echo port (the kernel
 *       behind a TAP port with nothing on port 7), and the window no longer holds gen back: it sends as the ring takes
 *       frames, as it did before there was a window. An answer that comes later brings the window back.</li>
 * </ul>
 * Payloads too short for a probe carry no send number: each answer then counts as the oldest request in flight.
 * <p>
 * Threading: the generator's thread only. Allocates nothing.
 */
public final class EchoWindow
{
    /** Requests in flight at the start of a run. */
    public static final int INITIAL = 32;
    /** The smallest window. */
    public static final int MIN = 4;
    /**
     * The default largest window: room for the rings' batches on the way (gen's tx ring, the switch's passes of up to
     * 64 frames per vif, the guest's rx and tx rings), far below the switch's 512 KiB queue to a vif (some 3,800
     * 64-byte frames), which a full window therefore never fills.
     */
    public static final int DEFAULT_MAX = 512;
    /** Silence after which the peer counts as one that does not echo. */
    public static final long NO_ECHO_NS = 250_000_000L;
    /** The shortest wait of a full window for an answer before what is in flight is presumed lost. */
    public static final long MIN_TIMEOUT_NS = 50_000_000L;
    /** Queueing delay above the smallest round trip that shrinks the window (with a round trip twice the smallest). */
    public static final long QUEUE_DELAY_NS = 200_000L;

    private final int max;
    /** Send numbers sent and answered, the window, its losses and timeouts. */
    private final InFlightWindow book = new InFlightWindow();
    private int threshold;
    /** Send number that ends the round in progress (the requests in flight when it began). */
    private long roundEnd;
    private long roundMinRttNs = Long.MAX_VALUE;
    private long minRttNs = Long.MAX_VALUE;
    private long smoothedRttNs;
    private long lastAnswerNs;
    private boolean answered;
    private boolean refused;
    private long queueings;

    /**
     * A window that grows up to {@code max} requests in flight.
     *
     * @param max the largest window (at least {@link #MIN}).
     */
    public EchoWindow(final int max)
    {
        if (max < MIN)
        {
            throw new IllegalArgumentException("window " + max + " below " + MIN);
        }
        this.max = max;
        start(0);
    }

    /**
     * A new run from {@code nowNs}: the initial window, nothing in flight, no answer yet.
     *
     * @param nowNs the clock now.
     */
    public void start(final long nowNs)
    {
        book.start(Math.min(INITIAL, max), MIN, max, 0, nowNs);
        threshold = max;
        roundEnd = 0;
        roundMinRttNs = Long.MAX_VALUE;
        minRttNs = Long.MAX_VALUE;
        smoothedRttNs = 0;
        lastAnswerNs = nowNs;
        answered = false;
        refused = false;
        queueings = 0;
    }

    /**
     * Whether the next request may go now: the window has room, or it holds nothing back (no echoes), or a full window
     * waited longer than its timeout (then what is in flight is presumed lost and the window starts from {@link #MIN}).
     *
     * @param nowNs the clock now.
     * @return whether to send.
     */
    public boolean maySend(final long nowNs)
    {
        if (book.hasRoom() || !pacing(nowNs))
        {
            return true;
        }
        if (answered && nowNs - book.lastProgressNs() >= Math.max(MIN_TIMEOUT_NS, 4 * smoothedRttNs))
        {
            book.timedOut(nowNs);
            threshold = Math.max(MIN, book.window() / 2);
            book.setWindow(MIN);
            book.forgetInFlight();
            roundEnd = book.sent();
            return true;
        }
        return false;
    }

    /**
     * {@return the send number of the request about to go (its probe carries the low 32 bits); counts it as sent}
     */
    public long onSend()
    {
        return book.onSend();
    }

    /**
     * An answer to the request with send number {@code sendNumber} (low 32 bits), which went {@code roundTripNs} ago.
     *
     * @param sendNumber  the probe's send number.
     * @param roundTripNs its round trip.
     * @param nowNs       the clock now.
     */
    public void onAnswer(final int sendNumber, final long roundTripNs, final long nowNs)
    {
        answered = true;
        lastAnswerNs = nowNs;
        final long acked = book.acked();
        final long number = acked + (sendNumber - (int)acked); // the send number nearest to the oldest in flight
        if (number < acked || number >= book.sent())
        {
            return; // presumed lost by a timeout and answered after all, or not a request of this run
        }
        final long gap = number - acked;
        book.acknowledge(number + 1, nowNs);
        if (roundTripNs > 0)
        {
            smoothedRttNs = smoothedRttNs == 0 ? roundTripNs : smoothedRttNs + (roundTripNs - smoothedRttNs) / 8;
            roundMinRttNs = Math.min(roundMinRttNs, roundTripNs);
            minRttNs = Math.min(minRttNs, roundTripNs);
        }
        if (gap > 0)
        {
            lost(number);
        }
        else
        {
            grow();
        }
        if (book.acked() >= roundEnd)
        {
            endRound();
        }
    }

    /**
     * An answer without a probe (a payload shorter than {@link GenPayloadDescriptor#LENGTH}): the oldest request in
     * flight was answered.
     *
     * @param nowNs the clock now.
     */
    public void onAnswer(final long nowNs)
    {
        answered = true;
        lastAnswerNs = nowNs;
        if (book.inFlight() > 0)
        {
            book.acknowledge(book.acked() + 1, nowNs);
            grow();
        }
    }

    /** The peer refused the echo port (ICMP port unreachable): it does not echo, the window holds nothing back. */
    public void onRefused()
    {
        refused = true;
    }

    private void lost(final long number)
    {
        if (book.lost(number))
        {
            threshold = book.window();
        }
    }

    /** Slow start below the threshold (+1 per answer), congestion avoidance above (+1 per window of answers). */
    private void grow()
    {
        if (book.window() < threshold)
        {
            book.growNow();
        }
        else
        {
            book.grow(1);
        }
    }

    /** A round trip's worth of answers came: shrink the window if its requests queued. */
    private void endRound()
    {
        if (roundMinRttNs != Long.MAX_VALUE && book.acked() >= book.recover() &&
            roundMinRttNs > 2 * minRttNs && roundMinRttNs - minRttNs > QUEUE_DELAY_NS)
        {
            queueings++;
            book.setWindow(book.window() - Math.max(1, book.window() / 8));
            threshold = Math.min(threshold, book.window());
        }
        roundMinRttNs = Long.MAX_VALUE;
        roundEnd = book.sent();
    }

    private boolean pacing(final long nowNs)
    {
        return !refused && nowNs - lastAnswerNs < NO_ECHO_NS;
    }

    /** {@return the current window: requests that may be in flight} */
    public int window()
    {
        return book.window();
    }

    /** {@return requests sent this run (the send number of the next)} */
    public long sent()
    {
        return book.sent();
    }

    /** {@return requests sent after the latest answered one} */
    public long inFlight()
    {
        return book.inFlight();
    }

    /** {@return the largest window of the run} */
    public int largest()
    {
        return book.largest();
    }

    /** {@return the largest window allowed} */
    public int max()
    {
        return max;
    }

    /** {@return losses that halved the window} */
    public long losses()
    {
        return book.losses();
    }

    /** {@return rounds whose round trips showed a queue and shrank the window} */
    public long queueings()
    {
        return queueings;
    }

    /** {@return full windows that waited out their timeout} */
    public long timeouts()
    {
        return book.timeouts();
    }

    /** {@return whether any answer came this run} */
    public boolean answered()
    {
        return answered;
    }

    /** {@return whether the peer refused the echo port (ICMP port unreachable)} */
    public boolean refused()
    {
        return refused;
    }

    @Override
    public String toString()
    {
        return "window " + window() + " (largest " + largest() + ", max " + max + "), in flight " + inFlight() +
            ", losses " + losses() + ", queueings " + queueings + ", timeouts " + timeouts();
    }
}

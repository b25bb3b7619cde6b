package io.pvnet.engine.guest;

/**
 * The bookkeeping both of gen's windows keep ({@link EchoWindow} over echo requests, {@link StreamCredit} over a
 * one-way stream's datagrams): numbers sent and acknowledged (in flight = sent - acknowledged; the path keeps order,
 * so what was sent before an acknowledged number and not acknowledged was lost), a window of at most {@code max} and
 * at least {@code min}, halved once per window of losses (as NewReno: a loss of a number sent before the last
 * decrease belongs to it), grown by one per window's worth of acknowledgements, the clock of the last progress (for
 * timeouts), and the figures a summary shows (largest and smallest window, losses, timeouts).
 * <p>
 * Threading: its owner's thread. Allocates nothing.
 */
final class InFlightWindow
{
    private int min;
    private int max;
    private int window;
    private int growth;
    private long sent;
    private long acked;
    private long recover;
    private long lastProgressNs;
    private int largest;
    private int smallest;
    private long losses;
    private long timeouts;

    /**
     * A new run: nothing in flight, the next number {@code first}, a window of {@code initial}.
     *
     * @param initial the window now.
     * @param min     the smallest window.
     * @param max     the largest window.
     * @param first   the number of the next send.
     * @param nowNs   the clock now (progress starts here).
     */
    void start(final int initial, final int min, final int max, final long first, final long nowNs)
    {
        this.min = min;
        this.max = max;
        window = initial;
        growth = 0;
        sent = first;
        acked = first;
        recover = first;
        lastProgressNs = nowNs;
        largest = initial;
        smallest = initial;
        losses = 0;
        timeouts = 0;
    }

    /** {@return whether fewer than the window are in flight} */
    boolean hasRoom()
    {
        return sent - acked < window;
    }

    /** {@return the number of the send about to go; counts it} */
    long onSend()
    {
        return sent++;
    }

    /**
     * Everything below {@code next} was acknowledged (or lost): in flight shrinks, progress is now.
     *
     * @param next  the number after the latest acknowledged, above {@link #acked()} and at most {@link #sent()}.
     * @param nowNs the clock now.
     * @return how many numbers it acknowledged.
     */
    long acknowledge(final long next, final long nowNs)
    {
        final long advance = next - acked;
        acked = next;
        lastProgressNs = nowNs;
        return advance;
    }

    /** The window is a timeout's: nothing in flight counts any longer (what was sent is presumed lost). */
    void forgetInFlight()
    {
        acked = sent;
        recover = sent;
    }

    /**
     * {@code count} more acknowledged without loss: the window grows by one per window's worth (congestion avoidance).
     *
     * @param count numbers acknowledged.
     */
    void grow(final long count)
    {
        if (window < max && (growth += (int)Math.min(count, window)) >= window)
        {
            growth = 0;
            setWindow(window + 1);
        }
    }

    /** The window grows by one at once (slow start), up to its largest. */
    void growNow()
    {
        if (window < max)
        {
            setWindow(window + 1);
        }
    }

    /**
     * A loss of number {@code number}: the window halves unless the loss belongs to the last decrease (the number was
     * sent before it).
     *
     * @param number the lost number (or the first of those that were acknowledged with the loss).
     * @return whether it halved the window.
     */
    boolean lost(final long number)
    {
        if (number < recover)
        {
            return false;
        }
        losses++;
        halve();
        return true;
    }

    /** A full window waited out its timeout (counted); the caller decides what is left of the window. */
    void timedOut(final long nowNs)
    {
        timeouts++;
        lastProgressNs = nowNs;
    }

    /** Halves the window (not below the smallest); what is in flight now belongs to this decrease. */
    void halve()
    {
        setWindow(Math.max(min, window / 2));
        recover = sent;
    }

    /**
     * Sets the window (clamped to {@code min..max}), noting the largest and smallest; growth starts again.
     *
     * @param value the new window.
     */
    void setWindow(final int value)
    {
        window = Math.max(min, Math.min(max, value));
        growth = 0;
        largest = Math.max(largest, window);
        smallest = Math.min(smallest, window);
    }

    /** {@return the window} */
    int window()
    {
        return window;
    }

    /** {@return the largest window allowed} */
    int max()
    {
        return max;
    }

    /** {@return the number of the next send} */
    long sent()
    {
        return sent;
    }

    /** {@return the number after the latest acknowledged} */
    long acked()
    {
        return acked;
    }

    /** {@return the numbers sent after the latest acknowledged} */
    long inFlight()
    {
        return sent - acked;
    }

    /** {@return the first number sent after the last decrease} */
    long recover()
    {
        return recover;
    }

    /** {@return the clock of the last progress} */
    long lastProgressNs()
    {
        return lastProgressNs;
    }

    /** {@return the largest window of the run} */
    int largest()
    {
        return largest;
    }

    /** {@return the smallest window of the run} */
    int smallest()
    {
        return smallest;
    }

    /** {@return losses that halved the window} */
    long losses()
    {
        return losses;
    }

    /** {@return full windows that waited out their timeout} */
    long timeouts()
    {
        return timeouts;
    }
}

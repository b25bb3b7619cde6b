package io.pvnet.engine;

/**
 * Late EOI for guests that kick without cause (Xen's XSA-332; Linux's {@code xen_irq_lateeoi} with
 * {@code XEN_EOI_FLAG_SPURIOUS} in {@code drivers/xen/events/events_base.c}), per vif of one {@link VifPoller}.
 * <p>
 * A kick is what a guest does to wake the host for its vif: a write of its kick eventfd (a guest in its own memory) or
 * a notification of the vif's armed port (a guest in the host's region), seen by the poller as the vif's bit raised in
 * its selector by someone other than the host itself. When the poll that follows finds no work, the kick was spurious.
 * After {@value #THRESHOLD} spurious kicks in a row the poller stops listening to the vif's kicks (its ports stay
 * disarmed, its kick eventfd is muted in epoll) for a backoff that doubles with each further spurious kick, from
 * {@value #FIRST_BACKOFF_NS} ns up to {@value #MAX_BACKOFF_NS} ns; Linux delays from its second spurious event by
 * {@code 1 << (count - 2)} jiffies up to a second, far too long for a switch whose guests expect microseconds.
 * <pre>
 *  kick -> poll -> work?  yes: run = 0; a backoff ends at once (listen again)
 *                         no:  kicks-spurious + 1, run + 1; run > THRESHOLD: back off (kick-backoffs + 1)
 *  backing off: the vif's ports are not armed, its kick fd is muted (a kick costs the host nothing)
 *  backoff over: the kick fd is unmuted and the vif polled once (found work ends the run) and armed again;
 *                the next spurious kick backs off twice as long
 * </pre>
 * Any poll of the vif that finds work (its rx traffic, the housekeeping visit) ends a run and a backoff. A genuine
 * guest kicks only after it published requests or buffers and saw the port armed, so its kicks find work, except for
 * the odd one whose work an earlier poll already took (a race of a few instructions); it never makes
 * {@value #THRESHOLD} of those in a row, so it never waits for a backoff. A guest that did is seen again at the latest
 * {@value #MAX_BACKOFF_NS} ns after it published work.
 * <p>
 * An eventfd that is unmuted reports itself once at once (its counter, never read by the host, stays non-zero), so the
 * first spurious kick after an unmute is not counted. Threading: the poller's thread only; allocation-free after
 * {@link #grow}.
 */
final class KickBackoff
{
    /** Spurious kicks in a row that are tolerated (Linux's {@code spurious_threshold}, 1 by default, counts jiffies). */
    static final int THRESHOLD = 8;
    /** The first backoff. */
    static final long FIRST_BACKOFF_NS = 100_000L;
    /** The longest backoff. */
    static final long MAX_BACKOFF_NS = 16_000_000L;

    /** What the poller does when a vif's kicks are to be ignored or listened to again, and counts. */
    interface Listener
    {
        /**
         * Mutes ({@code listen} false) or unmutes the kick eventfd of the vif of {@code bit}, if it has one.
         *
         * @return whether an eventfd was unmuted or muted.
         */
        boolean listen(int bit, boolean listen);

        /** Counts a spurious kick of the vif of {@code bit}, and a backoff if {@code backoffStarted}. */
        void spurious(int bit, boolean backoffStarted);
    }

    private final Listener listener;
    private int[] run = new int[0];
    /** When each vif's backoff ends (System.nanoTime), or 0: not backing off. */
    private long[] untilNs = new long[0];
    private boolean[] kicked = new boolean[0];
    private boolean[] muted = new boolean[0];
    private boolean[] residue = new boolean[0];
    private int[] backingOff = new int[0];
    private int backingOffCount;
    private long spurious;

    KickBackoff(final Listener listener)
    {
        this.listener = listener;
    }

    /** Makes room for vifs {@code 0..vifs-1}. Configuration time. */
    void grow(final int vifs)
    {
        run = java.util.Arrays.copyOf(run, vifs);
        untilNs = java.util.Arrays.copyOf(untilNs, vifs);
        kicked = java.util.Arrays.copyOf(kicked, vifs);
        muted = java.util.Arrays.copyOf(muted, vifs);
        residue = java.util.Arrays.copyOf(residue, vifs);
        backingOff = java.util.Arrays.copyOf(backingOff, vifs);
    }

    /** The guest of {@code bit} kicked: the next poll of its vif decides whether it had cause. */
    void onKick(final int bit)
    {
        kicked[bit] = true;
    }

    /**
     * Takes the result of a poll of the vif of {@code bit}.
     *
     * @param work  what the poll did (0: nothing).
     * @param nowNs the duty cycle's time.
     * @return whether the vif is backing off: the poller must not arm its ports.
     */
    boolean afterPoll(final int bit, final int work, final long nowNs)
    {
        final boolean wasKicked = kicked[bit];
        kicked[bit] = false;
        if (work > 0)
        {
            run[bit] = 0;
            residue[bit] = false;
            if (untilNs[bit] != 0)
            {
                end(bit);
            }
            return false;
        }
        if (wasKicked)
        {
            if (residue[bit])
            {
                residue[bit] = false; // the unmuted eventfd reporting itself
            }
            else
            {
                spurious++;
                final int count = run[bit] = Math.min(run[bit] + 1, THRESHOLD + 32);
                final boolean starts = count > THRESHOLD && untilNs[bit] == 0;
                listener.spurious(bit, starts);
                if (count > THRESHOLD)
                {
                    backOff(bit, count, nowNs, starts);
                }
            }
        }
        return untilNs[bit] != 0;
    }

    private void backOff(final int bit, final int count, final long nowNs, final boolean starts)
    {
        final int doublings = count - THRESHOLD - 1;
        final long delay = doublings >= 8 ? MAX_BACKOFF_NS : Math.min(MAX_BACKOFF_NS, FIRST_BACKOFF_NS << doublings);
        final long until = nowNs + delay;
        untilNs[bit] = until == 0 ? 1 : until;
        if (starts)
        {
            backingOff[backingOffCount++] = bit;
            muted[bit] = listener.listen(bit, false);
        }
    }

    private void end(final int bit)
    {
        untilNs[bit] = 0;
        for (int i = 0; i < backingOffCount; i++)
        {
            if (backingOff[i] == bit)
            {
                backingOff[i] = backingOff[--backingOffCount];
                break;
            }
        }
        if (muted[bit])
        {
            muted[bit] = false;
            residue[bit] = listener.listen(bit, true);
        }
    }

    /**
     * Ends the backoffs due by {@code nowNs}: their vifs' kicks are listened to again.
     *
     * @param ended receives the bits whose backoff ended (the poller polls them once); room for every vif.
     * @return how many ended.
     */
    int expire(final long nowNs, final int[] ended)
    {
        int count = 0;
        for (int i = backingOffCount - 1; i >= 0; i--)
        {
            final int bit = backingOff[i];
            if (nowNs - untilNs[bit] >= 0)
            {
                end(bit);
                ended[count++] = bit;
            }
        }
        return count;
    }

    /** {@return nanoseconds until the first backoff ends (0 if one is due), or {@code Long.MAX_VALUE} if none} */
    long nanosToNextEnd(final long nowNs)
    {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < backingOffCount; i++)
        {
            next = Math.min(next, Math.max(0, untilNs[backingOff[i]] - nowNs));
        }
        return next;
    }

    /** {@return vifs backing off now} */
    int backingOff()
    {
        return backingOffCount;
    }

    /** {@return whether the vif of {@code bit} is backing off} */
    boolean isBackingOff(final int bit)
    {
        return untilNs[bit] != 0;
    }

    /** {@return spurious kicks seen, over every vif} */
    long spuriousKicks()
    {
        return spurious;
    }
}

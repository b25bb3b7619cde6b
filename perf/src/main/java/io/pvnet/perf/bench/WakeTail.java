package io.pvnet.perf.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where the slowest round trips of a {@code wake} path spent their time: with {@code -Dpvnet.bench.wake.tail=PERCENT}
 * (e.g. 2), {@link WakeStages} keeps every measured round trip's stage stamps here and prints the slowest PERCENT to
 * stderr, each as the time from the stage before it (or from the send) to the stage, and how often each stage was the
 * longest. A diagnosis of the tail (is it the kick, the host thread's wake-up, its first duty cycle, or the guest
 * seeing the answer), off by default.
 * <p>
 * Threading: the sender's thread (records are written as its round trips end). No allocation per round trip.
 */
final class WakeTail
{
    /** The slowest share printed, in percent; 0: not kept. */
    static final double PERCENT = Double.parseDouble(System.getProperty("pvnet.bench.wake.tail", "0"));
    /** Most round trips kept (the first ones of a longer measurement). */
    static final int CAPACITY = 1 << 16;

    private final String[] stages;
    /** Per round trip: the total, then the stamp of each stage from the send (0: not reached). */
    private final long[] rows;
    private final int width;
    private int count;

    /**
     * @param stages the names of the stages, in the order of the stamps recorded.
     */
    WakeTail(final String[] stages)
    {
        this.stages = stages;
        this.width = stages.length + 1;
        this.rows = new long[CAPACITY * width];
    }

    /** {@return a tail for {@code stages} if {@link #PERCENT} asks for one, else null} */
    static WakeTail ifEnabled(final String[] stages)
    {
        return PERCENT > 0 ? new WakeTail(stages) : null;
    }

    /**
     * One answered round trip.
     *
     * @param totalNs  send to answer seen.
     * @param stampsNs each stage's time from the send, 0 where the stage was not reached.
     */
    void record(final long totalNs, final long[] stampsNs)
    {
        if (count == CAPACITY)
        {
            return;
        }
        final int at = count++ * width;
        rows[at] = totalNs;
        System.arraycopy(stampsNs, 0, rows, at + 1, stages.length);
    }

    /** Forgets the round trips kept (the warm-up's). */
    void reset()
    {
        count = 0;
    }

    /** {@return round trips kept} */
    int count()
    {
        return count;
    }

    /**
     * Prints the slowest {@code percent} of the round trips kept (at least one).
     *
     * @return how often each stage, then the rest (answer seen), was the longest part of a slow round trip.
     */
    int[] print(final PrintStream out, final String what, final double percent)
    {
        final int[] longest = new int[stages.length + 1];
        if (count == 0)
        {
            return longest;
        }
        final Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(rows[b * width], rows[a * width]));
        final int shown = Math.max(1, (int)Math.ceil(count * percent / 100));
        final StringBuilder line = new StringBuilder();
        out.printf(Locale.ROOT, "%s tail: slowest %d of %d round trips, us: total | each stage since the one before " +
            "(%s, seen)%n", what, shown, count, String.join(", ", stages));
        final long[] parts = new long[stages.length + 1];
        for (int i = 0; i < shown; i++)
        {
            final int at = order[i] * width;
            parts(at, parts);
            line.setLength(0);
            line.append(String.format(Locale.ROOT, "  %9.1f |", rows[at] / 1e3));
            int max = 0;
            for (int s = 0; s < parts.length; s++)
            {
                line.append(parts[s] < 0 ? "         -" : String.format(Locale.ROOT, " %9.1f", parts[s] / 1e3));
                max = parts[s] > parts[max] ? s : max;
            }
            longest[max]++;
            out.println(line);
        }
        line.setLength(0);
        line.append(what).append(" tail: longest part");
        for (int s = 0; s < longest.length; s++)
        {
            line.append(' ').append(s < stages.length ? stages[s] : "seen").append(' ').append(longest[s]);
        }
        out.println(line);
        return longest;
    }

    /**
     * Splits the round trip at {@code at} into the time up to each reached stage from the latest point reached before it
     * in time (stages may be reached out of order, e.g. a host that preempted the kicking guest), and the rest; -1 for
     * a stage not reached.
     */
    private void parts(final int at, final long[] parts)
    {
        long reached = 0;
        for (int s = 0; s < stages.length; s++)
        {
            final long stamp = rows[at + 1 + s];
            if (stamp <= 0)
            {
                parts[s] = -1;
                continue;
            }
            long since = 0;
            for (int o = 0; o < stages.length; o++)
            {
                final long other = rows[at + 1 + o];
                if (o != s && other > 0 && other < stamp && other > since)
                {
                    since = other;
                }
            }
            parts[s] = stamp - since;
            reached = Math.max(reached, stamp);
        }
        parts[stages.length] = Math.max(0, rows[at] - reached);
    }
}

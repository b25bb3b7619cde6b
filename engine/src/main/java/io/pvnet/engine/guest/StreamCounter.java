package io.pvnet.engine.guest;

/**
 * Counts one numbered UDP stream at its receiver, as iperf3's server does, by the sequence numbers of the datagrams'
 * {@link GenPayloadDescriptor} probes: datagrams and payload bytes received, {@link #expected()} = highest sequence
 * seen + 1, datagrams that came after a later one ({@link #outOfOrder()}: they had been missing, now they are not) and
 * {@link #duplicates()} (a sequence seen before, told apart from a late one by a bitmap of the last
 * {@link #HISTORY} sequences; older ones are counted late). So the receiver's loss is
 * {@code expected - base - (received - duplicates)}, and at the end, iperf3's, sent minus the distinct datagrams received.
 * <p>
 * Probes carry the low 32 bits of a sequence; each is taken as the 64-bit sequence nearest to {@link #expected()}
 * (a stream wraps 32 bits after some 20 minutes at 3.5 Mpps).
 * <p>
 * <b>Jitter</b> ({@link #jitterNs()}, iperf3's {@code jitter_ms}): RFC 3550's interarrival jitter (section 6.4.1, the
 * code of its appendix A.8), the smoothed difference between consecutive datagrams' transit times (arrival minus the
 * send time their probe carries), in arrival order; only differences count, so the sender's clock need not be the
 * receiver's. The callers take a poll's datagrams as arriving together (one clock read per poll), as the ring hands
 * them over. {@link #start} starts it again.
 * <p>
 * Threading: the receiver's thread only. Allocates nothing after construction.
 */
public final class StreamCounter
{
    /** Sequences behind the highest whose arrival is remembered (duplicates among them are told from late ones). */
    public static final int HISTORY = 4096;
    private static final int MASK = HISTORY - 1;

    private final long[] seen = new long[HISTORY / Long.SIZE];
    private long base;
    private long expected;
    private long received;
    private long payloadBytes;
    private long outOfOrder;
    private long duplicates;
    private long stale;
    private long receivedAtReport;
    /** The jitter in sixteenths of a nanosecond (RFC 3550 A.8's fixed point), -1 before a second timed datagram. */
    private long jitter16 = -1;
    private long lastTransitNs;
    private boolean timed;

    /** A counter of a stream starting at sequence 0. */
    public StreamCounter()
    {
        start(0);
    }

    /**
     * Starts counting from zero, the stream's sequence numbers going on from {@code base}: datagrams numbered below it
     * belong to an earlier count (a warm-up) and are left out ({@link #stale()}).
     *
     * @param base the first sequence of this count.
     */
    public void start(final long base)
    {
        this.base = base;
        expected = base;
        received = 0;
        payloadBytes = 0;
        outOfOrder = 0;
        duplicates = 0;
        stale = 0;
        receivedAtReport = 0;
        jitter16 = -1;
        timed = false;
        java.util.Arrays.fill(seen, 0);
    }

    /**
     * A datagram with the probe's {@code sequence} (low 32 bits) and {@code payloadBytes} of payload.
     *
     * @param sequence     the probe's sequence number.
     * @param payloadBytes the datagram's payload bytes.
     * @return the datagram's sequence number in full (64 bits).
     */
    public long onDatagram(final int sequence, final int payloadBytes)
    {
        final long number = expected + (sequence - (int)expected); // nearest to the next expected
        if (number < base)
        {
            stale++;
            return number;
        }
        received++;
        this.payloadBytes += payloadBytes;
        if (number == expected)
        {
            mark(number);
            expected = number + 1;
        }
        else if (number > expected)
        {
            // a gap: what lies between is missing (it may still come, late)
            if (number - expected >= HISTORY)
            {
                java.util.Arrays.fill(seen, 0);
            }
            else
            {
                forget(expected, number);
            }
            mark(number);
            expected = number + 1;
        }
        else
        {
            late(number);
        }
        return number;
    }

    /**
     * A datagram with the probe's {@code sequence} and send time, arrived {@code transitNs} after it (arrival minus send
     * time): counted as {@link #onDatagram(int, int)}, and its transit feeds the {@link #jitterNs() jitter} unless it
     * belongs to an earlier count.
     *
     * @param sequence     the probe's sequence number.
     * @param payloadBytes the datagram's payload bytes.
     * @param transitNs    its arrival time minus its send time (any offset between the clocks cancels out).
     * @return the datagram's sequence number in full (64 bits).
     */
    public long onDatagram(final int sequence, final int payloadBytes, final long transitNs)
    {
        final long number = onDatagram(sequence, payloadBytes);
        if (number >= base)
        {
            if (timed)
            {
                final long jitter = Math.max(0, jitter16);
                jitter16 = jitter + Math.abs(transitNs - lastTransitNs) - ((jitter + 8) >> 4);
            }
            lastTransitNs = transitNs;
            timed = true;
        }
        return number;
    }

    /**
     * A datagram too short to carry a probe: counted as received and as the next in order.
     *
     * @param payloadBytes its payload bytes.
     */
    public void onUnnumbered(final int payloadBytes)
    {
        received++;
        this.payloadBytes += payloadBytes;
        mark(expected);
        expected++;
    }

    private void late(final long number)
    {
        if (expected - number > HISTORY)
        {
            outOfOrder++; // too old to tell from a duplicate: counted late
            return;
        }
        final int word = (int)(number & MASK) >>> 6;
        final long bit = 1L << number;
        if ((seen[word] & bit) != 0)
        {
            duplicates++;
        }
        else
        {
            seen[word] |= bit;
            outOfOrder++;
        }
    }

    /**
     * Clears the history bits of sequences {@code from} to {@code to - 1} (fewer than {@link #HISTORY}) a word at a
     * time: a jump of thousands costs some 64 word writes, not a write per sequence.
     */
    private void forget(final long from, final long to)
    {
        long next = from;
        while (next < to)
        {
            final int bit = (int)(next & (Long.SIZE - 1));
            final int bits = (int)Math.min(Long.SIZE - bit, to - next); // up to the word's end or the range's
            final long mask = bits == Long.SIZE ? -1L : ((1L << bits) - 1) << bit;
            seen[(int)(next & MASK) >>> 6] &= ~mask;
            next += bits;
        }
    }

    private void mark(final long number)
    {
        seen[(int)(number & MASK) >>> 6] |= 1L << number;
    }

    /** {@return highest sequence seen + 1 (the base while none came)} */
    public long expected()
    {
        return expected;
    }

    /** {@return datagrams received in this count, duplicates included} */
    public long received()
    {
        return received;
    }

    /** {@return their payload bytes} */
    public long payloadBytes()
    {
        return payloadBytes;
    }

    /** {@return datagrams that came after a later one} */
    public long outOfOrder()
    {
        return outOfOrder;
    }

    /** {@return datagrams whose sequence had come before} */
    public long duplicates()
    {
        return duplicates;
    }

    /** {@return datagrams numbered below the base (an earlier count's, arriving late)} */
    public long stale()
    {
        return stale;
    }

    /** {@return datagrams missing so far: numbered below {@link #expected()} and not received} */
    public long lost()
    {
        return Math.max(0, expected - base - (received - duplicates));
    }

    /** {@return RFC 3550's interarrival jitter in nanoseconds, -1 before two timed datagrams came} */
    public long jitterNs()
    {
        return jitter16 < 0 ? -1 : jitter16 >> 4;
    }

    /** {@return datagrams received since the last {@link #reported()}} */
    public long unreported()
    {
        return received - receivedAtReport;
    }

    /** The figures were just reported. */
    public void reported()
    {
        receivedAtReport = received;
    }

    @Override
    public String toString()
    {
        return "received " + received + " (" + payloadBytes + " payload bytes), expected " + expected + " from " +
            base + ", out of order " + outOfOrder + ", duplicates " + duplicates + ", lost " + lost() + ", stale " +
            stale + ", jitter " + jitterNs() + " ns";
    }
}

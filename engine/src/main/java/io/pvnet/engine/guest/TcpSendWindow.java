package io.pvnet.engine.guest;

/**
 * The sending half of one small TCP connection (gen's sending connections and the guest's chargen server): which bytes
 * are acknowledged ({@code sndUna}), which were sent ({@code sndNxt}), the peer's window, and loss recovery by going
 * back N: after three duplicate acknowledgments (once per window of data, as NewReno's recovery point) or after
 * {@link #GO_BACK_NS} without progress, sending restarts at the first unacknowledged byte. A congestion window as
 * RFC 5681's (initial window 10 segments, RFC 6928; slow start, then one segment per round trip; halved on a fast
 * retransmit, two segments after a timeout) keeps a sender from filling the rings between it and its peer with more
 * than they hold, which a go-back-N sender would pay for by resending all of it. Sequence numbers are 32-bit, held in
 * longs and compared modulo 2^32. Single-threaded (the owner's thread).
 */
final class TcpSendWindow
{
    static final long SEQUENCE_MASK = 0xFFFF_FFFFL;
    /** Resend from the first unacknowledged byte after this long without progress. */
    static final long GO_BACK_NS = 200_000_000L;
    private static final int DUPLICATE_ACKS = 3;
    private static final long MAX_CONGESTION_WINDOW = 64L << 20;

    private long sndUna;
    private long sndNxt;
    private long window;
    private int windowShift;
    private int duplicates;
    private long recover;
    private long lastProgressNs;
    private long goBackRounds;
    private int mss;
    private long congestionWindow;
    private long slowStartThreshold;

    /**
     * Starts the window after the SYN.
     *
     * @param firstSequence the first data byte's sequence number (initial sequence + 1).
     * @param peerWindow    the window of the peer's SYN or SYN-ACK (never scaled).
     * @param shift         the peer's window scale, 0 when it sent none.
     * @param segmentSize   the maximum segment size (the unit of the congestion window).
     * @param nowNs         now.
     */
    void start(final long firstSequence, final long peerWindow, final int shift, final int segmentSize, final long nowNs)
    {
        mss = Math.max(1, segmentSize);
        congestionWindow = 10L * mss;
        slowStartThreshold = MAX_CONGESTION_WINDOW;
        sndUna = firstSequence & SEQUENCE_MASK;
        sndNxt = sndUna;
        recover = sndUna;
        window = peerWindow;
        windowShift = shift;
        duplicates = 0;
        lastProgressNs = nowNs;
        goBackRounds = 0;
    }

    /**
     * An acknowledgment arrived.
     *
     * @param ack       its acknowledgment number.
     * @param rawWindow its window field (scaled here).
     * @param pure      it carried no data and no SYN/FIN (may count as a duplicate).
     * @param nowNs     now.
     * @return the bytes it newly acknowledged (0 for a duplicate or an old one).
     */
    long onAck(final long ack, final int rawWindow, final boolean pure, final long nowNs)
    {
        final long newWindow = (long)rawWindow << windowShift;
        final long acked = (ack - sndUna) & SEQUENCE_MASK;
        final long outstanding = (sndNxt - sndUna) & SEQUENCE_MASK;
        final long highest = (recover - sndUna) & SEQUENCE_MASK; // bytes sent before a go-back, still to be acked
        if (acked > 0 && acked <= Math.max(outstanding, highest))
        {
            sndUna = ack & SEQUENCE_MASK;
            if (((sndNxt - sndUna) & SEQUENCE_MASK) > Math.max(outstanding, highest))
            {
                sndNxt = sndUna; // the ack covers bytes sent before a go-back beyond where we resend now
            }
            window = newWindow;
            duplicates = 0;
            lastProgressNs = nowNs;
            congestionWindow = Math.min(MAX_CONGESTION_WINDOW, congestionWindow < slowStartThreshold ?
                congestionWindow + acked : congestionWindow + Math.max(1, mss * acked / congestionWindow));
            return acked;
        }
        if (acked == 0 && pure && outstanding > 0 && newWindow == window)
        {
            duplicates++;
            if (duplicates == DUPLICATE_ACKS && ((sndUna - recover) & SEQUENCE_MASK) < (1L << 31))
            {
                goBack(nowNs, false); // fast retransmit: the peer holds a gap at sndUna
            }
            return 0;
        }
        if (acked == 0)
        {
            window = newWindow; // a window update
        }
        return 0;
    }

    /**
     * Goes back to the first unacknowledged byte when nothing was acknowledged for {@link #GO_BACK_NS}.
     *
     * @return whether it went back.
     */
    boolean checkTimeout(final long nowNs)
    {
        if (sndNxt != sndUna && nowNs - lastProgressNs > GO_BACK_NS)
        {
            goBack(nowNs, true);
            return true;
        }
        return false;
    }

    private void goBack(final long nowNs, final boolean timeout)
    {
        slowStartThreshold = Math.max(inFlight() / 2, 2L * mss);
        congestionWindow = timeout ? 2L * mss : slowStartThreshold;
        if (((sndNxt - recover) & SEQUENCE_MASK) < (1L << 31))
        {
            recover = sndNxt;
        }
        sndNxt = sndUna;
        duplicates = 0;
        lastProgressNs = nowNs;
        goBackRounds++;
    }

    /**
     * {@return how many bytes to send now, 0 for none} Within the peer's window; a segment larger than the window goes
     * out alone when nothing is in flight (as Linux's {@code tcp_tso_should_defer} sends a smaller frame rather than
     * none), so the window is never a reason to stall.
     *
     * @param segment   most bytes of one segment or TSO frame.
     * @param remaining bytes still to send (counting those in flight as sent).
     * @param mss       the peer's maximum segment size.
     */
    int nextLength(final int segment, final long remaining, final int mss)
    {
        final long inFlight = inFlight();
        final long allowed = Math.min(window, congestionWindow);
        // nothing in flight: one frame up to the peer's window, whatever the congestion window (it limits what is
        // added to the flight, and a frame must be able to go at all)
        final long length = Math.min(Math.min(segment, remaining), inFlight == 0 ? Math.max(window, mss) : segment);
        return length > 0 && (inFlight + length <= allowed || inFlight == 0) ? (int)length : 0;
    }

    /** {@code length} bytes went out at {@link #sndNxt()}. */
    void sent(final int length)
    {
        sndNxt = (sndNxt + length) & SEQUENCE_MASK;
    }

    long inFlight()
    {
        return (sndNxt - sndUna) & SEQUENCE_MASK;
    }

    long sndUna()
    {
        return sndUna;
    }

    long sndNxt()
    {
        return sndNxt;
    }

    long window()
    {
        return window;
    }

    long congestionWindow()
    {
        return congestionWindow;
    }

    /** {@return times sending went back to the first unacknowledged byte} */
    long goBackRounds()
    {
        return goBackRounds;
    }
}

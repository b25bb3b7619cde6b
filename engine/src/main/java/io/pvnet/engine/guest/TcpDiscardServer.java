package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.TcpHeader;
import org.agrona.MutableDirectBuffer;

/**
 * The guest's TCP discard server (RFC 863) with up to {@link #MAX_CONNECTIONS} connections at once (one per peer
 * address and port, as {@code gen -P} opens them): SYN answered by SYN-ACK with an MSS option and, when the SYN offered
 * window scaling (RFC 7323), a window scale of {@value #WINDOW_SHIFT}; every data segment by an ACK with a window of
 * 64 KiB, or 4 MiB when scaled (it discards what it takes, so it never runs short: a peer sending 64 KiB TSO segments
 * keeps several in flight instead of one per round trip), data or a FIN after a gap by an ACK up to the gap (the data
 * after gaps is kept as up to {@value #RANGES} ranges per connection, as a receiver's out-of-order queue keeps it: when
 * a gap fills, the ACK covers what follows it, so one lost segment costs its sender one resend; overlapping or
 * touching ranges merge, a segment that starts in what came already gives its new tail, and data that would need a
 * ninth range is dropped); FIN by
 * FIN-ACK, and a repeated FIN by the FIN-ACK again (the first was lost); anything for a connection it does not have by
 * RST (RFC 9293 section 3.5.2); a SYN when every slot is taken reuses the least recently opened one. Works on the received segment in
 * place, turning it into the answer. Single-threaded.
 */
final class TcpDiscardServer
{
    private static final long SEQUENCE_MASK = 0xFFFF_FFFFL;
    private static final long HALF = 1L << 31;
    private static final long OUR_INITIAL_SEQUENCE = 0x1000_0000L;
    private static final int WINDOW = 65535;
    /** The window scale announced to a peer that offers one: 65,535 << 6, a 4 MiB window. */
    static final int WINDOW_SHIFT = 6;
    /** NOP, then the window scale option with {@link #WINDOW_SHIFT}. */
    private static final int WINDOW_SCALE_OPTION = (TcpHeader.OPTION_NOP << 24) | (TcpHeader.OPTION_WINDOW_SCALE << 16) |
        (TcpHeader.OPTION_WINDOW_SCALE_LENGTH << 8) | WINDOW_SHIFT;
    private static final int WINDOW_SCALE_OPTION_BYTES = 4;

    /** Connections tracked at once. */
    static final int MAX_CONNECTIONS = 64;

    private final int mss;
    /** Per slot: the peer's address key ({@link #answer}'s {@code peer}) and port (-1: free), next byte expected. */
    private final long[] peerKeys = new long[MAX_CONNECTIONS];
    private final int[] peerPorts = new int[MAX_CONNECTIONS];
    private final long[] nextExpected = new long[MAX_CONNECTIONS];
    private final long[] openedAt = new long[MAX_CONNECTIONS];
    /** Per slot: whether our FIN went (it occupies the sequence number after our SYN: later ACKs come after it). */
    private final boolean[] finSent = new boolean[MAX_CONNECTIONS];
    /** Ranges of data held after gaps per connection. */
    static final int RANGES = 8;
    /**
     * Per slot {@code s}, ranges {@code s * RANGES ..}: data held after a gap, {@code [rangeStart, rangeEnd)}; empty
     * (free) when they are equal.
     */
    private final long[] rangeStart = new long[MAX_CONNECTIONS * RANGES];
    private final long[] rangeEnd = new long[MAX_CONNECTIONS * RANGES];
    private long opened;
    private long payloadBytes;

    /** @param mtu the guest's MTU; the MSS it announces is {@code mtu - 60}, at most 65535. */
    TcpDiscardServer(final int mtu)
    {
        mss = Math.min(65535, mtu - 60);
        java.util.Arrays.fill(peerPorts, -1);
    }

    private int find(final long peer, final int port)
    {
        for (int i = 0; i < MAX_CONNECTIONS; i++)
        {
            if (peerPorts[i] == port && peerKeys[i] == peer)
            {
                return i;
            }
        }
        return -1;
    }

    /** @return a free slot, else the one opened longest ago. */
    private int claim()
    {
        int oldest = 0;
        for (int i = 0; i < MAX_CONNECTIONS; i++)
        {
            if (peerPorts[i] < 0)
            {
                return i;
            }
            if (openedAt[i] < openedAt[oldest])
            {
                oldest = i;
            }
        }
        return oldest;
    }

    /**
     * Turns the TCP segment at {@code segment[l4]} (IP addresses already swapped) into the answer.
     *
     * @param peer the peer's address as a key (an IPv4 address, or an IPv6 address folded to 64 bits).
     * @return the answer's TCP header length (checksum field zeroed), or 0 for no answer.
     */
    int answer(final MutableDirectBuffer segment, final int l4, final int l4Length, final long peer)
    {
        final int flags = TcpHeader.flags(segment, l4);
        final int dataOffset = TcpHeader.headerLength(segment, l4);
        if (dataOffset < TcpHeader.MIN_LENGTH || dataOffset > l4Length)
        {
            return 0;
        }
        final long seq = TcpHeader.sequence(segment, l4);
        final int port = TcpHeader.sourcePort(segment, l4);
        final int payload = l4Length - dataOffset;
        final boolean syn = (flags & TcpHeader.SYN) != 0;
        int answerFlags = TcpHeader.ACK;
        int slot = find(peer, port);
        if ((flags & TcpHeader.RST) != 0)
        {
            if (slot >= 0)
            {
                peerPorts[slot] = -1;
            }
            return 0;
        }
        if (syn)
        {
            slot = slot >= 0 ? slot : claim();
            peerPorts[slot] = port;
            peerKeys[slot] = peer;
            openedAt[slot] = ++opened;
            nextExpected[slot] = (seq + 1) & SEQUENCE_MASK;
            finSent[slot] = false;
            java.util.Arrays.fill(rangeEnd, slot * RANGES, (slot + 1) * RANGES, 0);
            java.util.Arrays.fill(rangeStart, slot * RANGES, (slot + 1) * RANGES, 0);
            answerFlags = TcpHeader.SYN | TcpHeader.ACK;
        }
        else
        {
            if (slot < 0)
            {
                return reset(segment, l4, seq, payload, flags);
            }
            // bytes of the segment before the next expected one: all of them when it is old, 0 when it is in order
            final long behind = (nextExpected[slot] - seq) & SEQUENCE_MASK;
            if (behind < payload)
            {
                // in order, or its tail is (a go-back's frame that starts in what came already): take what is new
                payloadBytes += payload - behind;
                nextExpected[slot] = (seq + payload) & SEQUENCE_MASK;
                fillGap(slot);
            }
            else if (payload > 0)
            {
                hold(slot, seq, (seq + payload) & SEQUENCE_MASK);
            }
            final boolean fin = (flags & TcpHeader.FIN) != 0;
            final long end = (seq + payload) & SEQUENCE_MASK;
            if (fin && end == nextExpected[slot])
            {
                nextExpected[slot] = (nextExpected[slot] + 1) & SEQUENCE_MASK;
                answerFlags = TcpHeader.FIN | TcpHeader.ACK;
            }
            else if (fin && ((end + 1) & SEQUENCE_MASK) == nextExpected[slot])
            {
                answerFlags = TcpHeader.FIN | TcpHeader.ACK; // the FIN again: our FIN-ACK was lost (LAST-ACK)
            }
            else if (payload == 0 && !fin)
            {
                return 0; // a pure ACK
            }
            // else data, or a FIN after a gap: acknowledged up to the gap, so the peer resends what is missing
        }
        // we send no data: our FIN (sent again as often as the peer's FIN comes) is the one after our SYN, and a plain
        // ACK after our FIN comes after the FIN
        final boolean answerFin = (answerFlags & TcpHeader.FIN) != 0;
        final long ourSeq = syn ? OUR_INITIAL_SEQUENCE :
            OUR_INITIAL_SEQUENCE + (answerFin || !finSent[slot] ? 1 : 2);
        finSent[slot] |= answerFin;
        // scaling is on only when both SYNs carry the option (RFC 7323 section 2.2): read it before the answer overwrites
        final boolean scale = syn && TcpHeader.windowScaleOption(segment, l4) >= 0;
        final int headerLength = !syn ? TcpHeader.MIN_LENGTH :
            TcpHeader.MIN_LENGTH + TcpHeader.OPTION_MSS_LENGTH + (scale ? WINDOW_SCALE_OPTION_BYTES : 0);
        TcpHeader.swapPorts(segment, l4);
        TcpHeader.sequence(segment, l4, ourSeq);
        TcpHeader.acknowledgment(segment, l4, nextExpected[slot]);
        TcpHeader.headerLength(segment, l4, headerLength);
        TcpHeader.flags(segment, l4, answerFlags);
        TcpHeader.window(segment, l4, WINDOW);
        TcpHeader.checksum(segment, l4, 0);
        TcpHeader.urgentPointer(segment, l4, 0);
        if (syn)
        {
            final int next = TcpHeader.putMssOption(segment, l4 + TcpHeader.OPTIONS_OFFSET, mss);
            if (scale)
            {
                segment.putInt(next, WINDOW_SCALE_OPTION, java.nio.ByteOrder.BIG_ENDIAN);
            }
        }
        return headerLength;
    }

    /**
     * Data {@code [start, end)} came after a gap: one range with every range it overlaps or touches (so neighbours
     * merge and a segment that runs past a range's end extends it), held in a free range or the first merged; dropped
     * when it touches none and no range is free, or when it is old.
     */
    private void hold(final int slot, final long start, final long end)
    {
        final long next = nextExpected[slot];
        // offsets from the next byte expected: every held range lies ahead of it
        long from = (start - next) & SEQUENCE_MASK;
        if (from == 0 || from >= HALF)
        {
            return; // old data (or a part of it): nothing new
        }
        long to = from + ((end - start) & SEQUENCE_MASK);
        int free = -1;
        for (int r = slot * RANGES; r < (slot + 1) * RANGES; r++)
        {
            if (rangeStart[r] != rangeEnd[r])
            {
                final long rangeFrom = (rangeStart[r] - next) & SEQUENCE_MASK;
                final long rangeTo = rangeFrom + ((rangeEnd[r] - rangeStart[r]) & SEQUENCE_MASK);
                if (rangeFrom > to || from > rangeTo)
                {
                    continue; // apart (ranges stay apart, so one pass merges all that the union touches)
                }
                from = Math.min(from, rangeFrom);
                to = Math.max(to, rangeTo);
                rangeStart[r] = 0;
                rangeEnd[r] = 0;
            }
            free = free < 0 ? r : free;
        }
        if (free >= 0)
        {
            rangeStart[free] = (next + from) & SEQUENCE_MASK;
            rangeEnd[free] = (next + to) & SEQUENCE_MASK;
        }
    }

    /** The next byte expected moved: every range it reached is taken (in order now), and what that reaches. */
    private void fillGap(final int slot)
    {
        boolean taken = true;
        while (taken)
        {
            taken = false;
            for (int r = slot * RANGES; r < (slot + 1) * RANGES; r++)
            {
                final long start = rangeStart[r];
                final long end = rangeEnd[r];
                if (start == end || ((nextExpected[slot] - start) & SEQUENCE_MASK) >= HALF)
                {
                    continue; // free, or its gap is still open
                }
                final long rest = (end - nextExpected[slot]) & SEQUENCE_MASK;
                if (rest < HALF && rest > 0)
                {
                    payloadBytes += rest;
                    nextExpected[slot] = end;
                    taken = true;
                }
                rangeStart[r] = 0;
                rangeEnd[r] = 0;
            }
        }
    }

    /** A segment for a connection we do not have: reset it. */
    private static int reset(
        final MutableDirectBuffer segment, final int l4, final long seq, final int payload, final int flags)
    {
        final boolean hasAck = (flags & TcpHeader.ACK) != 0;
        final long ack = TcpHeader.acknowledgment(segment, l4);
        TcpHeader.swapPorts(segment, l4);
        TcpHeader.sequence(segment, l4, hasAck ? ack : 0);
        TcpHeader.acknowledgment(segment, l4, seq + payload + ((flags & TcpHeader.FIN) != 0 ? 1 : 0));
        TcpHeader.headerLength(segment, l4, TcpHeader.MIN_LENGTH);
        TcpHeader.flags(segment, l4, hasAck ? TcpHeader.RST : TcpHeader.RST | TcpHeader.ACK);
        TcpHeader.window(segment, l4, 0);
        TcpHeader.checksum(segment, l4, 0);
        TcpHeader.urgentPointer(segment, l4, 0);
        return TcpHeader.MIN_LENGTH;
    }

    /** {@return in-order payload bytes received} */
    long payloadBytes()
    {
        return payloadBytes;
    }
}

package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.netif.NetifConstants;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The TCP client of a {@link TrafficGenerator}: one connection (SYN with MSS and window scale, segments or TSO frames
 * within the peer's window, go-back-N after 200 ms without progress, FIN) against a discard server or a kernel socket.
 * Uses its generator's frame, vif, clock, counters and waiting. Threading: the generator's thread.
 */
final class TcpClient
{
    private static final long SEQUENCE_MASK = 0xFFFF_FFFFL;
    private static final long INITIAL_SEQUENCE = 0x2000_0000L;
    private static final long RETRY_NS = 300_000_000L;
    private static final int WINDOW = 65535;
    private static final int WINDOW_SCALE_OPTION = 0x0103_0307; // NOP, window scale 7

    private final TrafficGenerator generator;
    /** Describes the segments sent (the generator's thread only, reused). */
    private final FrameMetadata segmentMetadata = new FrameMetadata();

    // answers, written by onSegment
    private long synAck = -1;
    private long ackSeen = -1;
    private long window = WINDOW;
    private int windowShift;
    private int peerMss = 536;
    private long rcvNxt;
    private boolean peerFin;
    private long finAck = -1;
    private long resets;

    TcpClient(final TrafficGenerator generator)
    {
        this.generator = generator;
    }

    /**
     * Opens a TCP connection to {@code port}, sends {@code count} segments of {@code size} payload bytes (when
     * {@code count > 0}; else for {@code durationNs}), each a TSO frame with CSUM_PARTIAL and GSO size = MSS when
     * {@code tso}, at most {@code rate} frames a second, then closes it. The counters' answered bytes are the bytes
     * acknowledged; {@code listener} is told every interval.
     */
    TrafficReport run(
        final int port, final int size, final boolean tso, final long count, final long durationNs, final long rate,
        final long intervalNs)
    {
        final GenCounters counters = generator.counters;
        final GenListener listener = generator.listener;
        final NanoClock clock = generator.clock;
        final VifFrontend frontend = generator.frontend;
        synAck = -1;
        ackSeen = -1;
        finAck = -1;
        peerFin = false;
        resets = 0;
        long sndUna = (INITIAL_SEQUENCE + 1) & SEQUENCE_MASK;
        long sndNxt = sndUna;
        long deadline = clock.nanoTime() + 5_000_000_000L;
        long nextSyn = 0;
        while (synAck < 0 && clock.nanoTime() - deadline < 0)
        {
            if (clock.nanoTime() - nextSyn >= 0)
            {
                sendTcp(port, INITIAL_SEQUENCE, 0, TcpHeader.SYN, 0, true, 0);
                nextSyn = clock.nanoTime() + RETRY_NS;
            }
            generator.idle(generator.poll());
        }
        if (synAck < 0)
        {
            return TrafficReport.failed("no SYN-ACK from " + TrafficGenerator.dottedQuad(generator.destinationIp) + ":" + port +
                (resets > 0 ? " (reset)" : ""));
        }
        rcvNxt = (synAck + 1) & SEQUENCE_MASK;
        sendTcp(port, sndNxt, rcvNxt, TcpHeader.ACK, 0, false, 0);
        final int mss = Math.min(peerMss, frontend.config().mtu() - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH);
        final int segment = tso ? size : Math.min(size, mss);
        final long total = count > 0 ? count * (long)segment : Long.MAX_VALUE / 4;
        final long start = clock.nanoTime();
        generator.runStartNs = start;
        final long end = start + durationNs;
        long lastProgress = start;
        long acked = 0;
        final long gapNs = rate > 0 ? Math.max(1, 1_000_000_000L / rate) : 0;
        long next = start;
        long nextInterval = intervalNs > 0 ? start + intervalNs : Long.MAX_VALUE;
        long lastInterval = start;
        boolean ringFull = false;
        while (acked < total && clock.nanoTime() - end < 0)
        {
            int work = generator.poll();
            final long now = clock.nanoTime();
            if (now - nextInterval >= 0)
            {
                listener.onInterval(counters, lastInterval - start, now - start);
                lastInterval = now;
                do
                {
                    nextInterval += intervalNs; // after a stall the next line ends at the next boundary, one line for it
                }
                while (nextInterval - now <= 0);
            }
            final long newlyAcked = (ackSeen - sndUna) & SEQUENCE_MASK;
            if (ackSeen >= 0 && newlyAcked > 0 && newlyAcked <= ((sndNxt - sndUna) & SEQUENCE_MASK))
            {
                sndUna = ackSeen;
                acked += newlyAcked;
                counters.answeredFrames[0]++;
                counters.answeredPayloadBytes[0] += newlyAcked;
                lastProgress = now;
                work++;
            }
            if (now - lastProgress > TrafficGenerator.GO_BACK_NS && sndNxt != sndUna)
            {
                // go back N: the peer lost something (or a queue dropped it); resend from the first unacknowledged byte
                sndNxt = sndUna;
                lastProgress = now;
                counters.retransmitRounds++;
            }
            final long inFlight = (sndNxt - sndUna) & SEQUENCE_MASK;
            final long remaining = total - acked - inFlight;
            // a TSO frame larger than the peer's window goes out alone, when nothing is in flight (as Linux's
            // tcp_tso_should_defer sends a smaller frame rather than none): the window is never a reason to stall
            final int length = (int)Math.min(Math.min(segment, remaining), inFlight == 0 ? Math.max(window, mss) : segment);
            if (length > 0 && (inFlight + length <= window || inFlight == 0) && (gapNs == 0 || now - next >= 0))
            {
                final int status = sendTcp(port, sndNxt, rcvNxt, TcpHeader.PSH | TcpHeader.ACK, length, false,
                    length > mss ? mss : 0);
                if (status == VifFrontend.OK)
                {
                    sndNxt = (sndNxt + length) & SEQUENCE_MASK;
                    counters.sentFrames[0]++;
                    counters.sentFrameBytes[0] += generator.builder.payloadOffset() + length;
                    counters.sentPayloadBytes[0] += length;
                    next += gapNs;
                    ringFull = false;
                    work++;
                }
                else if (!ringFull)
                {
                    ringFull = true;
                    counters.ringFullWaits++;
                }
            }
            generator.idle(work);
        }
        final long elapsed = clock.nanoTime() - start;
        // FIN, answered by the peer's FIN or ACK
        deadline = clock.nanoTime() + 2_000_000_000L;
        long nextFin = 0;
        while (!finAcked(sndNxt) && clock.nanoTime() - deadline < 0)
        {
            if (clock.nanoTime() - nextFin >= 0)
            {
                sendTcp(port, sndNxt, rcvNxt, TcpHeader.FIN | TcpHeader.ACK, 0, false, 0);
                nextFin = clock.nanoTime() + RETRY_NS;
            }
            generator.idle(generator.poll());
        }
        if (finAcked(sndNxt) && sndNxt != sndUna)
        {
            // the FIN's acknowledgment covers every byte before it: what was in flight when sending ended is answered
            final long lastAcked = (sndNxt - sndUna) & SEQUENCE_MASK;
            counters.answeredFrames[0]++;
            counters.answeredPayloadBytes[0] += lastAcked;
            sndUna = sndNxt;
        }
        if (peerFin)
        {
            sendTcp(port, (sndNxt + 1) & SEQUENCE_MASK, rcvNxt, TcpHeader.ACK, 0, false, 0);
            frontend.flush();
        }
        listener.onInterval(counters, lastInterval - start, Math.max(lastInterval, Math.min(clock.nanoTime(), end)) - start);
        return new TrafficReport(counters, elapsed, finAcked(sndNxt), null);
    }

    private int sendTcp(
        final int port, final long seq, final long ack, final int flags, final int payload, final boolean syn,
        final int gso)
    {
        generator.ipv4Headers();
        final FrameBuilder builder = generator.builder;
        final UnsafeBuffer frame = generator.frame;
        final VifFrontend frontend = generator.frontend;
        builder.tcp(TrafficGenerator.SOURCE_PORT, port, seq, ack, flags, WINDOW);
        if (syn)
        {
            builder.tcpMss(frontend.config().mtu() - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH)
                .tcpOption(WINDOW_SCALE_OPTION);
        }
        final int data = builder.payloadOffset();
        for (int i = 0; i < payload; i += 64)
        {
            frame.putByte(data + i, (byte)i);
        }
        final boolean partial = gso > 0;
        builder.payloadLength(payload);
        final int length = partial ? builder.buildPartial() : builder.build();
        final int status = frontend.transmit(frame, 0, length, segmentMetadata.set(
            partial ? FrameFlags.CSUM_PARTIAL : 0, gso, partial ? NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4 : 0));
        frontend.flush();
        return status;
    }

    private boolean finAcked(final long finSeq)
    {
        return finAck == ((finSeq + 1) & SEQUENCE_MASK);
    }

    void onSegment(final DirectBuffer buffer, final int l4, final int l4Length)
    {
        final int tcpFlags = TcpHeader.flags(buffer, l4);
        if ((tcpFlags & TcpHeader.RST) != 0)
        {
            resets++;
            return;
        }
        final long seq = TcpHeader.sequence(buffer, l4);
        if ((tcpFlags & (TcpHeader.SYN | TcpHeader.ACK)) == (TcpHeader.SYN | TcpHeader.ACK))
        {
            synAck = seq;
            if (TcpHeader.headerLength(buffer, l4) <= l4Length)
            {
                final int mss = TcpHeader.mssOption(buffer, l4);
                if (mss >= 0)
                {
                    peerMss = mss;
                }
                final int scale = TcpHeader.windowScaleOption(buffer, l4);
                if (scale >= 0)
                {
                    windowShift = Math.min(14, scale);
                }
            }
            window = TcpHeader.window(buffer, l4);
            return;
        }
        if ((tcpFlags & TcpHeader.ACK) != 0)
        {
            ackSeen = TcpHeader.acknowledgment(buffer, l4);
            window = (long)TcpHeader.window(buffer, l4) << windowShift;
            finAck = ackSeen;
        }
        if ((tcpFlags & TcpHeader.FIN) != 0)
        {
            peerFin = true;
            rcvNxt = (seq + l4Length - TcpHeader.headerLength(buffer, l4) + 1) & SEQUENCE_MASK;
        }
    }
}

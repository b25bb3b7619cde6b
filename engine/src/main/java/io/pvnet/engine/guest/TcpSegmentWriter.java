package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.netif.NetifConstants;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds the segments of {@link TcpClient}'s connections and hands each to the vif: the Ethernet and IPv4 headers of
 * the run's destination (written by {@code headers}), a TCP header with the window the connection offers (a sending
 * connection the full 64 KiB, a receiving one its share of the receive buffer, {@link #receiveWindow(int)}), a SYN's
 * MSS and window-scale options, a payload marked every 64 bytes, and for a TSO frame CSUM_PARTIAL with the MSS as GSO
 * size (the backend or the netfront segments it).
 * <p>
 * Threading: the client's thread. The frame and its metadata are reused: nothing allocates.
 */
final class TcpSegmentWriter
{
    /** The window field of a SYN and of a sending connection's segments. */
    static final int WINDOW = 65535;
    /** The window scale gen's SYN offers: a receiving connection's window field counts units of 128 bytes. */
    static final int WINDOW_SCALE = 7;
    private static final int WINDOW_SCALE_OPTION = (TcpHeader.OPTION_NOP << 24) |
        (TcpHeader.OPTION_WINDOW_SCALE << 16) | (TcpHeader.OPTION_WINDOW_SCALE_LENGTH << 8) | WINDOW_SCALE;

    private final FrameBuilder builder;
    private final UnsafeBuffer frame;
    private final Runnable headers;
    private final FrameSink out;
    private final FrameMetadata metadata = new FrameMetadata();
    /** Window field of the receiving connections' segments (scaled by {@link #WINDOW_SCALE} at the peer). */
    private int receiveWindow = WINDOW;

    /**
     * @param builder builds into {@code frame}; {@code headers} leaves it wrapped after the IPv4 header.
     * @param frame   the frame every segment is built in.
     * @param headers writes the Ethernet and IPv4 headers of the run's destination (a new IP id each time).
     * @param out     takes each segment (the vif, flushed per segment); its status is returned as it is, 0 taken.
     */
    TcpSegmentWriter(final FrameBuilder builder, final UnsafeBuffer frame, final Runnable headers, final FrameSink out)
    {
        this.builder = builder;
        this.frame = frame;
        this.headers = headers;
        this.out = out;
    }

    /** @param window the window field the receiving connections offer from now on (1..65535). */
    void receiveWindow(final int window)
    {
        receiveWindow = window;
    }

    /** {@return the window field the receiving connections offer} */
    int receiveWindow()
    {
        return receiveWindow;
    }

    /**
     * {@return the receive window {@code connection}'s segments offer the peer, in bytes: their window field, scaled
     * by {@link #WINDOW_SCALE} when the peer's SYN-ACK took window scaling (RFC 7323)}
     */
    long windowBytes(final TcpConnection connection)
    {
        final long field = connection.sender ? WINDOW : receiveWindow;
        return connection.peerScales ? field << WINDOW_SCALE : field;
    }

    /**
     * A SYN of {@code connection}: its initial sequence number, MSS {@code mss}, window scale {@link #WINDOW_SCALE};
     * counted as sent ({@link TcpConnection#synSent}) only when the vif took it, so a SYN a full ring refused makes
     * neither the handshake's answer a resent SYN's (RFC 6298 5.7's 3 s) nor its round trip start early.
     *
     * @param nowNs now.
     * @return the vif's status (0: taken).
     */
    int syn(final TcpConnection connection, final int mss, final long nowNs)
    {
        final int status = write(connection, connection.initialSequence, 0, TcpHeader.SYN, 0, mss, 0);
        if (status == 0)
        {
            connection.synSent(nowNs);
        }
        return status;
    }

    /**
     * A segment of {@code connection} without options.
     *
     * @param payload bytes of data after the header (0 for an ACK, a FIN or a RST).
     * @param gso     the GSO size of a TSO frame (the MSS), 0 for a plain segment with its checksum complete.
     * @return the vif's status (0: taken).
     */
    int segment(
        final TcpConnection connection, final long seq, final long ack, final int flags, final int payload, final int gso)
    {
        return write(connection, seq, ack, flags, payload, 0, gso);
    }

    /**
     * A FIN (with ACK) of {@code connection} at {@code seq}.
     *
     * @return the vif's status (0: taken).
     */
    int fin(final TcpConnection connection, final long seq)
    {
        return segment(connection, seq, connection.rcvNxt, TcpHeader.FIN | TcpHeader.ACK, 0, 0);
    }

    /**
     * The next data segment (or TSO frame) of a sending {@code connection}: as much as its window allows now
     * ({@link TcpSendWindow#nextLength}: a hole first, and a resend never reaches past the highest byte sent, so a
     * segment is all resent or all new), at most {@code segment} bytes and what is left of the connection's total.
     *
     * @param segment most payload bytes of one segment or TSO frame.
     * @param mss     the MSS (a frame larger than it is a TSO frame of GSO size {@code mss}).
     * @return payload bytes sent, 0 when the window (or what is left) allows none, -1 when the ring is full.
     */
    int data(final TcpConnection connection, final int segment, final int mss, final long nowNs)
    {
        final TcpSendWindow window = connection.send;
        final long remaining = connection.total - connection.acked - window.inFlight();
        final int length = window.nextLength(segment, remaining, mss);
        if (length <= 0)
        {
            return 0;
        }
        if (segment(connection, window.sendSequence(), connection.rcvNxt, TcpHeader.PSH | TcpHeader.ACK, length,
            length > mss ? mss : 0) != 0)
        {
            return -1;
        }
        window.sent(length, nowNs);
        return length;
    }

    /** {@return the bytes of the last segment's headers, Ethernet to TCP: its frame is these plus its payload} */
    int headerBytes()
    {
        return builder.payloadOffset();
    }

    /**
     * Acknowledges what {@code connection} took since its last ACK, if anything: its data in order, or what it owes
     * at once (the peer's FIN, a segment after a gap); nothing on a connection the peer reset.
     *
     * @return 1 when an ACK was due (sent, or left due when the ring was full), else 0.
     */
    int ackIfPending(final TcpConnection connection)
    {
        if (connection.resets == 0 && (connection.ackPending > 0 || connection.ackNow))
        {
            ack(connection);
            return 1;
        }
        return 0;
    }

    /** An ACK of {@code connection}'s receive point; what was due is cleared once the vif took it. */
    void ack(final TcpConnection connection)
    {
        if (segment(connection, connection.nextSequence(), connection.rcvNxt, TcpHeader.ACK, 0, 0) == 0)
        {
            connection.ackPending = 0;
            connection.ackNow = false;
        }
    }

    /** A RST of {@code connection} at {@code seq}, so the peer frees it. */
    void reset(final TcpConnection connection, final long seq)
    {
        segment(connection, seq & TcpSendWindow.SEQUENCE_MASK, 0, TcpHeader.RST, 0, 0);
    }

    private int write(
        final TcpConnection connection, final long seq, final long ack, final int flags, final int payload,
        final int synMss, final int gso)
    {
        headers.run();
        final boolean syn = synMss > 0;
        // a SYN's window is never scaled (RFC 7323); a receiving connection offers its share of the receive buffer
        builder.tcp(connection.localPort, connection.remotePort, seq, ack, flags,
            syn || connection.sender ? WINDOW : receiveWindow);
        if (syn)
        {
            builder.tcpMss(synMss).tcpOption(WINDOW_SCALE_OPTION);
        }
        final int data = builder.payloadOffset();
        for (int i = 0; i < payload; i += 64)
        {
            frame.putByte(data + i, (byte)i);
        }
        final boolean partial = gso > 0;
        builder.payloadLength(payload);
        final int length = partial ? builder.buildPartial() : builder.build();
        return out.onFrame(frame, 0, length, metadata.set(
            partial ? FrameFlags.CSUM_PARTIAL : 0, gso, partial ? NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4 : 0));
    }
}

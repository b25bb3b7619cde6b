package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.netif.NetifConstants;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import io.pvnet.engine.guest.ChargenConnections.Connection;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.function.IntSupplier;

import static io.pvnet.engine.guest.ChargenConnections.CLOSED;
import static io.pvnet.engine.guest.ChargenConnections.CLOSING;
import static io.pvnet.engine.guest.ChargenConnections.ESTABLISHED;
import static io.pvnet.engine.guest.ChargenConnections.SYN_RECEIVED;

/**
 * The guest's TCP character generator (RFC 864, port {@link #PORT}): from the handshake on it sends the RFC's
 * 72-character lines to every connection as fast as the peer's window and the tx ring allow, discards what it
 * receives, and closes when the peer closes. It is what {@code pvnet gen --proto tcp --reverse} (and {@code --bidir})
 * receives from, as iperf3 {@code -R} receives from its server; {@code nc GUEST 19} shows the lines. Up to
 * {@link #MAX_CONNECTIONS} connections at once (IPv4); a SYN beyond that is reset.
 * <p>
 * Sends TSO frames (CSUM_PARTIAL, GSO size the peer's MSS; the netfront segments them itself when the backend does not
 * take GSO) of up to {@link #MAX_FRAME_PAYLOAD} bytes; loss recovery is {@link TcpSendWindow}'s (fast retransmit,
 * NewReno, the timer). This class is the server's state machine (handshake, data, close, timers) and its frames; the
 * connection table is {@link ChargenConnections}, the RFC 864 stream {@link ChargenPattern}.
 * <p>
 * Threading: one thread, the guest's: {@link #onFrame} (chained after the stack's other handlers) and
 * {@link #doWork()} (sends what the windows allow). Nothing allocates after construction.
 */
public final class TcpChargenServer implements FrameHandler, Agent
{
    /** The character generator's TCP port (RFC 864). */
    public static final int PORT = 19;
    /** Most connections at once. */
    public static final int MAX_CONNECTIONS = 64;
    /** Largest payload of one frame sent (a TSO frame; IP total length stays under 64 KiB). */
    public static final int MAX_FRAME_PAYLOAD = 65535 - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH - 15;
    private static final long INITIAL_SEQUENCE = 0x3000_0000L;
    private static final long MASK = TcpSendWindow.SEQUENCE_MASK;
    private static final long SYN_RETRY_NS = 300_000_000L;
    private static final long SYN_GIVE_UP_NS = 5_000_000_000L;
    /** A closing connection is freed after this long without progress (its data or FIN newly acknowledged). */
    private static final long CLOSE_GIVE_UP_NS = 5_000_000_000L;
    private static final int WINDOW = 65535;
    private static final int BATCH = 16;

    private final GuestStack stack;
    private final FrameSink out;
    private final NanoClock clock;
    private final int mtuMss;
    private final FrameBuilder builder = new FrameBuilder();
    private final FrameMetadata metadata = new FrameMetadata();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(EthernetHeader.LENGTH + 65535));
    private final ChargenPattern pattern = new ChargenPattern(MAX_FRAME_PAYLOAD);
    private final ChargenConnections connections = new ChargenConnections(MAX_CONNECTIONS);
    private FrameHandler next;
    private IntSupplier txSlotsInUse;
    private int maxTxSlots = Integer.MAX_VALUE;
    private int nextConnection;
    private long accepted;
    private long refused;
    private long sentBytes;

    /**
     * A chargen server on the system clock.
     *
     * @param stack the guest's stack (its MAC and IPv4 address are the source of what is sent).
     * @param out   where frames go (the vif); non-zero return: not taken, sent again later.
     * @param mtu   the guest's MTU (the MSS it announces is {@code mtu - 40}).
     */
    public TcpChargenServer(final GuestStack stack, final FrameSink out, final int mtu)
    {
        this(stack, out, mtu, new SystemNanoClock());
    }

    /**
     * As {@link #TcpChargenServer(GuestStack, FrameSink, int)} with a clock (tests).
     *
     * @param stack the guest's stack.
     * @param out   where frames go.
     * @param mtu   the guest's MTU.
     * @param clock the clock of retransmissions.
     */
    public TcpChargenServer(final GuestStack stack, final FrameSink out, final int mtu, final NanoClock clock)
    {
        this.stack = stack;
        this.out = out;
        this.clock = clock;
        this.mtuMss = Math.min(65535, mtu - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH);
    }

    /**
     * Frames that are not for this server go to {@code handler}.
     *
     * @param handler the next handler, called on this thread; may be null.
     * @return this.
     */
    public TcpChargenServer next(final FrameHandler handler)
    {
        next = handler;
        return this;
    }

    /**
     * Sends data only while fewer than {@code maxSlots} tx slots are in use (as Linux's TCP small queues limit what a
     * socket holds below it): the rest of the ring stays free for the guest's replies and acknowledgments, which would
     * otherwise wait behind up to a ring of bulk data, and the bursts stay small enough for the receiver's ring.
     *
     * @param slotsInUse tx slots waiting for the backend now (e.g. {@code VifFrontend::txOutstanding}); called once
     *                   per duty cycle, on this thread.
     * @param maxSlots   the most slots this server's data may find in use before it waits.
     * @return this.
     */
    public TcpChargenServer limitRingUse(final IntSupplier slotsInUse, final int maxSlots)
    {
        txSlotsInUse = slotsInUse;
        maxTxSlots = maxSlots;
        return this;
    }

    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata frameMetadata)
    {
        final int ip = offset + EthernetHeader.LENGTH;
        if (length >= EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH &&
            EthernetHeader.etherType(buffer, offset) == EthernetHeader.ETHERTYPE_IPV4 &&
            Ipv4Header.protocol(buffer, ip) == IpProtocol.TCP && Ipv4Header.destination(buffer, ip) == stack.ipv4() &&
            (Ipv4Header.flagsFragment(buffer, ip) & Ipv4Header.FRAGMENT_MASK) == 0)
        {
            final int ihl = Ipv4Header.headerLength(buffer, ip);
            final int l4 = ip + ihl;
            final int l4Length = Math.min(offset + length, ip + Ipv4Header.totalLength(buffer, ip)) - l4;
            if (l4Length >= TcpHeader.MIN_LENGTH && TcpHeader.destinationPort(buffer, l4) == PORT)
            {
                final int headerLength = TcpHeader.headerLength(buffer, l4);
                if (headerLength >= TcpHeader.MIN_LENGTH && headerLength <= l4Length)
                {
                    segment(buffer, offset, l4, l4Length, headerLength, Ipv4Header.source(buffer, ip));
                }
                return;
            }
        }
        if (next != null)
        {
            next.onFrame(buffer, offset, length, frameMetadata);
        }
    }

    private void segment(
        final DirectBuffer buffer, final int frameOffset, final int l4, final int l4Length, final int headerLength,
        final int ip)
    {
        final int flags = TcpHeader.flags(buffer, l4);
        final int port = TcpHeader.sourcePort(buffer, l4);
        final long seq = TcpHeader.sequence(buffer, l4);
        final int payload = l4Length - headerLength;
        final long now = clock.nanoTime();
        Connection connection = connections.find(ip, port);
        if ((flags & TcpHeader.RST) != 0)
        {
            if (connection != null)
            {
                connections.free(connection);
            }
            return;
        }
        if ((flags & (TcpHeader.SYN | TcpHeader.ACK)) == TcpHeader.SYN)
        {
            if (connection == null || connection.state != SYN_RECEIVED)
            {
                if (connection != null)
                {
                    connections.free(connection); // a new connection on the same ports: the peer started over
                }
                connection = connections.open();
                if (connection == null)
                {
                    refused++;
                    reset(EthernetHeader.source(buffer, frameOffset), ip, port, 0, (seq + 1) & MASK);
                    return;
                }
                accept(connection, buffer, frameOffset, l4, l4Length, ip, port, seq, now);
            }
            synAck(connection, now);
            return;
        }
        if (connection == null)
        {
            if ((flags & TcpHeader.ACK) != 0)
            {
                reset(EthernetHeader.source(buffer, frameOffset), ip, port, TcpHeader.acknowledgment(buffer, l4), 0);
            }
            return;
        }
        if (connection.state == CLOSED)
        {
            if ((flags & TcpHeader.FIN) != 0)
            {
                // the peer's FIN again: our acknowledgment of it was lost (our FIN it acknowledged already)
                send(connection, connection.send.nextSequence(), TcpHeader.ACK, 0, 0);
            }
            return;
        }
        if ((flags & TcpHeader.ACK) == 0)
        {
            return;
        }
        final long ack = TcpHeader.acknowledgment(buffer, l4);
        final boolean fin = (flags & TcpHeader.FIN) != 0;
        if (connection.state == SYN_RECEIVED)
        {
            if (ack != ((INITIAL_SEQUENCE + 1) & MASK))
            {
                return;
            }
            connection.state = ESTABLISHED;
            // the SYN-ACK's round trip is the timer's first sample when it went once (Karn), else RFC 6298 5.7
            connection.send.start(INITIAL_SEQUENCE + 1, TcpHeader.window(buffer, l4), connection.shift, connection.mss,
                TcpRetransmissionTimer.handshakeRtt(connection.synAcksSent, connection.synAckFirstSentNs, now));
        }
        else
        {
            final long acked = connection.send.onAck(ack, TcpHeader.window(buffer, l4), payload == 0 && !fin, now);
            sentBytes += acked;
            if (connection.state == CLOSING)
            {
                if (connection.send.finAcknowledged())
                {
                    connections.closed(connection); // our FIN and everything before it arrived
                    return;
                }
                if (acked > 0)
                {
                    connection.closeProgressNs = now;
                }
            }
        }
        if (seq == connection.rcvNxt && connection.state == ESTABLISHED)
        {
            connection.rcvNxt = (connection.rcvNxt + payload) & MASK; // discarded, acknowledged with the next data
            if (fin)
            {
                // the peer is done: send nothing new; our FIN follows the highest byte sent, once all before it went
                // out again if need be (TcpSendWindow#close), resent with the retransmission timeout until acknowledged
                connection.rcvNxt = (connection.rcvNxt + 1) & MASK;
                connection.state = CLOSING;
                connection.closeProgressNs = now;
                connection.send.close();
                acknowledgeFin(connection, now);
            }
        }
        else if (fin && connection.state == CLOSING && ((seq + payload + 1) & MASK) == connection.rcvNxt)
        {
            acknowledgeFin(connection, now); // the peer's FIN again: our acknowledgment of it was lost
        }
    }

    /** Acknowledges the peer's FIN: with our FIN when it is due, else with an ACK (our FIN follows our data). */
    private void acknowledgeFin(final Connection connection, final long now)
    {
        if (!connection.send.finDue())
        {
            send(connection, connection.send.nextSequence(), TcpHeader.ACK, 0, 0);
        }
        else
        {
            sendFin(connection, now);
        }
    }

    /** Sends the FIN that is due ({@link TcpSendWindow#finDue()}). @return whether the vif took it. */
    private boolean sendFin(final Connection connection, final long now)
    {
        final TcpSendWindow window = connection.send;
        if (send(connection, window.finSequence(), TcpHeader.FIN | TcpHeader.ACK, 0, 0) != 0)
        {
            return false;
        }
        window.finSent(now);
        return true;
    }

    private void accept(
        final Connection connection, final DirectBuffer buffer, final int frameOffset, final int l4, final int l4Length,
        final int ip, final int port, final long seq, final long now)
    {
        connection.mac = EthernetHeader.source(buffer, frameOffset);
        connection.ip = ip;
        connection.port = port;
        connection.rcvNxt = (seq + 1) & MASK;
        final int mss = TcpHeader.headerLength(buffer, l4) <= l4Length ? TcpHeader.mssOption(buffer, l4) : -1;
        connection.mss = Math.min(mtuMss, mss > 0 ? mss : 536);
        final int scale = TcpHeader.windowScaleOption(buffer, l4);
        connection.scaled = scale >= 0;
        connection.shift = scale >= 0 ? Math.min(14, scale) : 0;
        connection.synFirstNs = now;
        accepted++;
    }

    private void synAck(final Connection connection, final long now)
    {
        connection.synSentNs = now;
        builder.wrap(frame, 0).ethernet(connection.mac, stack.mac()).ipv4(stack.ipv4(), connection.ip)
            .tcp(PORT, connection.port, INITIAL_SEQUENCE, connection.rcvNxt, TcpHeader.SYN | TcpHeader.ACK, WINDOW)
            .tcpMss(mtuMss);
        if (connection.scaled)
        {
            builder.tcpOption(0x0103_0300); // NOP, window scale 0: the peer may scale its window to us
        }
        if (out.onFrame(frame, 0, builder.payloadLength(0).build(), metadata.set(0, 0, 0)) == 0 &&
            connection.synAcksSent++ == 0)
        {
            connection.synAckFirstSentNs = now;
        }
    }

    @Override
    public int doWork()
    {
        if (connections.active() == 0)
        {
            return 0;
        }
        final long now = clock.nanoTime();
        final boolean room = txSlotsInUse == null || txSlotsInUse.getAsInt() < maxTxSlots;
        int work = 0;
        // start at the next connection each cycle: all connections share the ring's room, none is always first
        final int first = nextConnection;
        nextConnection = first + 1 < MAX_CONNECTIONS ? first + 1 : 0;
        for (int i = 0; i < MAX_CONNECTIONS; i++)
        {
            final Connection connection = connections.get(first + i < MAX_CONNECTIONS ? first + i : first + i - MAX_CONNECTIONS);
            if (connection.state == ESTABLISHED || connection.state == CLOSING)
            {
                connection.send.checkTimeout(now);
                final int sent = room ? sendData(connection, now) : 0;
                if (sent < 0)
                {
                    return work + 1; // the ring is full: the other connections wait for the next duty cycle too
                }
                work += sent;
                if (connection.state == CLOSING)
                {
                    work += closing(connection, now, room);
                }
            }
            else if (connection.state == SYN_RECEIVED && now - connection.synSentNs > SYN_RETRY_NS)
            {
                if (now - connection.synFirstNs > SYN_GIVE_UP_NS)
                {
                    connections.free(connection);
                }
                else
                {
                    synAck(connection, now);
                }
                work++;
            }
        }
        return work;
    }

    /**
     * When this server's next timer is due (a SYN-ACK or FIN resent, a go-back after silence, a give-up): the owner's
     * idle strategy sleeps no longer. Server's thread.
     *
     * @param nowNs the clock's time now.
     * @return nanoseconds until then (0 or less: due now), {@link Long#MAX_VALUE} with no connection open.
     */
    public long nanosToNextDue(final long nowNs)
    {
        if (connections.active() == 0)
        {
            return Long.MAX_VALUE;
        }
        long due = Long.MAX_VALUE;
        for (int i = 0; i < MAX_CONNECTIONS; i++)
        {
            final Connection connection = connections.get(i);
            if (connection.state == SYN_RECEIVED)
            {
                due = Math.min(due, connection.synSentNs + SYN_RETRY_NS + 1 - nowNs);
            }
            else if (connection.state == ESTABLISHED || connection.state == CLOSING)
            {
                due = Math.min(due, connection.send.nanosToTimeout(nowNs));
                if (connection.state == CLOSING)
                {
                    due = Math.min(due, connection.send.finDue() ? 0 :
                        connection.closeProgressNs + CLOSE_GIVE_UP_NS + 1 - nowNs);
                }
            }
        }
        return due;
    }

    /**
     * A closing connection's FIN once everything before it is out (again after a retransmission timeout); gives up
     * after {@link #CLOSE_GIVE_UP_NS} without progress. @return work done.
     */
    private int closing(final Connection connection, final long now, final boolean room)
    {
        if (now - connection.closeProgressNs > CLOSE_GIVE_UP_NS)
        {
            connections.free(connection);
            return 1;
        }
        return room && connection.send.finDue() && sendFin(connection, now) ? 1 : 0;
    }

    /** @return frames sent, -1 when the ring was full. */
    private int sendData(final Connection connection, final long now)
    {
        final int maxFrame = MAX_FRAME_PAYLOAD / connection.mss * connection.mss;
        int frames = 0;
        while (frames < BATCH)
        {
            // closing: only what was sent before the FIN (resent after a loss), the window stops at the FIN
            final int length = connection.send.nextLength(maxFrame, Long.MAX_VALUE, connection.mss);
            if (length <= 0)
            {
                return frames;
            }
            final long seq = connection.send.sendSequence();
            final int gso = length > connection.mss ? connection.mss : 0;
            if (send(connection, seq, TcpHeader.PSH | TcpHeader.ACK, length, gso) != 0)
            {
                return -1;
            }
            connection.send.sent(length, now);
            frames++;
        }
        return frames;
    }

    /** @return 0 when the vif took it. */
    private int send(final Connection connection, final long seq, final int flags, final int payload, final int gso)
    {
        builder.wrap(frame, 0).ethernet(connection.mac, stack.mac()).ipv4(stack.ipv4(), connection.ip)
            .tcp(PORT, connection.port, seq, connection.rcvNxt, flags, WINDOW);
        if (payload > 0)
        {
            pattern.copy((seq - INITIAL_SEQUENCE - 1) & MASK, frame, builder.payloadOffset(), payload);
        }
        builder.payloadLength(payload);
        final int length = builder.buildPartial();
        return out.onFrame(frame, 0, length, metadata.set(FrameFlags.CSUM_PARTIAL, gso,
            gso > 0 ? NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4 : 0));
    }

    private void reset(final long mac, final int ip, final int port, final long seq, final long ack)
    {
        builder.wrap(frame, 0).ethernet(mac, stack.mac()).ipv4(stack.ipv4(), ip)
            .tcp(PORT, port, seq, ack, ack != 0 ? TcpHeader.RST | TcpHeader.ACK : TcpHeader.RST, 0);
        out.onFrame(frame, 0, builder.payloadLength(0).build(), metadata.set(0, 0, 0));
    }

    @Override
    public String roleName()
    {
        return "tcp-chargen";
    }

    /** {@return connections accepted} */
    public long accepted()
    {
        return accepted;
    }

    /** {@return SYNs reset because every connection slot was taken} */
    public long refused()
    {
        return refused;
    }

    /** {@return payload bytes the peers acknowledged} */
    public long sentBytes()
    {
        return sentBytes;
    }

    /** {@return connections open now (handshaking or sending)} */
    public int activeConnections()
    {
        return connections.active();
    }
}

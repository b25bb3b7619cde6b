package io.pvnet.engine.guest;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.IcmpHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.netif.NetifConstants;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A guest that generates traffic over its vif (the engine of {@code pvnet gen}): resolves an on-link IPv4
 * destination by ARP through its {@link GuestStack}, then sends UDP datagrams to the echo port or ICMP echo requests
 * (answered = echoes received, each checked), or runs a small TCP client (SYN with MSS and window scale, segments or
 * TSO frames within the peer's window, go-back-N after 200 ms without progress, FIN) against a discard server or a
 * kernel socket (answered = bytes acknowledged). Frames are written with a {@link FrameBuilder}.
 * <p>
 * Threading: one thread calls everything; {@code poller} (the guest's frontend and stack) runs on it between sends.
 * Registers itself as the stack's {@link GuestStack#other} handler. Sending allocates nothing; each run returns one
 * {@link Report}.
 */
public final class TrafficGenerator implements FrameHandler
{
    /** Source port of every UDP datagram and TCP segment, and the ICMP echo identifier. */
    public static final int SOURCE_PORT = 40_000;
    /** Largest payload of a UDP datagram or TSO frame. */
    public static final int MAX_PAYLOAD = 65535 - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH - 8;

    private static final long SEQUENCE_MASK = 0xFFFF_FFFFL;
    private static final long INITIAL_SEQUENCE = 0x2000_0000L;
    private static final long RETRY_NS = 300_000_000L;
    private static final long GO_BACK_NS = 200_000_000L;
    private static final int WINDOW = 65535;
    private static final int WINDOW_SCALE_OPTION = 0x0103_0307; // NOP, window scale 7

    /**
     * What one run sent and what was answered.
     *
     * @param frames            frames transmitted (UDP datagrams, ICMP requests, or TCP segments / TSO frames).
     * @param bytes             UDP / ICMP: bytes of those frames, Ethernet header included; TCP: payload bytes sent,
     *                          counted once (a go-back-N round takes back what it resends).
     * @param elapsedNs         nanoseconds from the first send to the last (waiting for answers not included).
     * @param ringBusy          times the frontend's tx ring was full and a send was retried.
     * @param echoes            UDP / ICMP echoes received that matched what was sent.
     * @param echoBytes         payload bytes of those echoes.
     * @param badEchoes         echoes whose size or payload did not match.
     * @param acknowledgedBytes TCP: payload bytes the peer acknowledged.
     * @param retransmitRounds  TCP: go-back-N rounds after 200 ms without progress.
     * @param closed            TCP: whether the peer acknowledged the FIN.
     * @param failure           why the run did not get going (not resolved, no SYN-ACK), else null.
     */
    public record Report(
        long frames, long bytes, long elapsedNs, long ringBusy, long echoes, long echoBytes, long badEchoes,
        long acknowledgedBytes, long retransmitRounds, boolean closed, String failure)
    {
        static Report failed(final String failure)
        {
            return new Report(0, 0, 0, 0, 0, 0, 0, 0, 0, false, failure);
        }

        /** {@return whether the run got going (a failure says why not)} */
        public boolean ok()
        {
            return failure == null;
        }
    }

    private final VifFrontend frontend;
    private final GuestStack stack;
    private final Agent poller;
    private final NanoClock clock;
    private final FrameBuilder builder = new FrameBuilder();
    /** Describes the TCP segments sent (the generator's thread only, reused). */
    private final FrameMetadata segmentMetadata = new FrameMetadata();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(EthernetHeader.LENGTH + 65535));
    private int destinationIp;
    private long destinationMac = -1;
    private int ipId;
    private int expectedEchoSize;

    // answers, written by onFrame
    private long echoes;
    private long echoBytes;
    private long badEchoes;
    private long synAck = -1;
    private long ackSeen = -1;
    private long window = WINDOW;
    private int windowShift;
    private int peerMss = 536;
    private long rcvNxt;
    private boolean peerFin;
    private long finAck = -1;
    private long resets;

    /**
     * A generator on the system clock; registers itself as {@code stack}'s {@link GuestStack#other} handler.
     *
     * @param frontend the guest's vif.
     * @param stack    its stack (answers ARP; hands this generator what it does not answer).
     * @param poller   polls the frontend and the stack (the guest node's agent).
     */
    public TrafficGenerator(final VifFrontend frontend, final GuestStack stack, final Agent poller)
    {
        this(frontend, stack, poller, new SystemNanoClock());
    }

    /**
     * A generator with its own clock (tests); registers itself as {@code stack}'s {@link GuestStack#other} handler.
     *
     * @param frontend the guest's vif.
     * @param stack    its stack (answers ARP; hands this generator what it does not answer).
     * @param poller   polls the frontend and the stack (the guest node's agent).
     * @param clock    the clock of every deadline, rate and elapsed time.
     */
    public TrafficGenerator(final VifFrontend frontend, final GuestStack stack, final Agent poller, final NanoClock clock)
    {
        this.frontend = frontend;
        this.stack = stack;
        this.poller = poller;
        this.clock = clock;
        stack.other(this);
    }

    /**
     * Polls until the vif is connected or {@code timeoutNs} passes.
     *
     * @param timeoutNs how long to wait, in nanoseconds.
     * @return whether it is connected.
     */
    public boolean awaitConnected(final long timeoutNs)
    {
        final long deadline = clock.nanoTime() + timeoutNs;
        while (!frontend.isConnected() && clock.nanoTime() - deadline < 0)
        {
            poll();
            Thread.onSpinWait();
        }
        return frontend.isConnected();
    }

    /**
     * Resolves {@code destination} (an on-link IPv4 address) by ARP, asking every 200 ms. Later runs go to it.
     *
     * @param destination the IPv4 address, as an int (first octet most significant).
     * @param timeoutNs   how long to wait for the answer, in nanoseconds.
     * @return whether it answered within {@code timeoutNs}.
     */
    public boolean resolve(final int destination, final long timeoutNs)
    {
        destinationIp = destination;
        final long deadline = clock.nanoTime() + timeoutNs;
        long nextRequest = clock.nanoTime();
        while (clock.nanoTime() - deadline < 0)
        {
            if (clock.nanoTime() - nextRequest >= 0)
            {
                stack.sendArpRequest(destination);
                frontend.flush();
                nextRequest = clock.nanoTime() + GO_BACK_NS;
            }
            poll();
            destinationMac = stack.neighbourMac4(destination);
            if (destinationMac >= 0)
            {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /**
     * Sends {@code size}-byte UDP datagrams to {@code port} (or ICMP echo requests when {@code icmp}) until
     * {@code count} are sent (when {@code count > 0}) or {@code durationNs} passes, at most {@code rate} a second
     * ({@code 0}: as fast as the ring takes them); then waits up to 200 ms for the echoes.
     *
     * @param port       the destination UDP port (ignored for ICMP).
     * @param size       payload bytes of each datagram or echo request.
     * @param icmp       whether to send ICMP echo requests instead of UDP.
     * @param count      how many to send; 0 or less: until {@code durationNs} passes.
     * @param durationNs the longest the run sends, in nanoseconds.
     * @param rate       most frames a second; 0 unpaced.
     * @return what was sent and echoed; a failure when the destination was not resolved first.
     */
    public Report udp(
        final int port, final int size, final boolean icmp, final long count, final long durationNs, final long rate)
    {
        if (destinationMac < 0)
        {
            return Report.failed("destination not resolved");
        }
        expectedEchoSize = size;
        echoes = 0;
        echoBytes = 0;
        badEchoes = 0;
        final int data = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;
        for (int i = 0; i < size; i++)
        {
            frame.putByte(data + i, (byte)(i * 7 + 3));
        }
        long sent = 0;
        long busy = 0;
        int length = 0;
        final long start = clock.nanoTime();
        final long end = start + durationNs;
        final long gapNs = rate > 0 ? 1_000_000_000L / rate : 0;
        long next = start;
        while ((count <= 0 || sent < count) && clock.nanoTime() - end < 0)
        {
            if (gapNs > 0 && clock.nanoTime() - next < 0)
            {
                poll();
                continue;
            }
            ipv4Headers();
            if (icmp)
            {
                builder.icmp(IcmpHeader.V4_ECHO_REQUEST, 0, (SOURCE_PORT << 16) | (int)(sent & 0xFFFF));
            }
            else
            {
                builder.udp(SOURCE_PORT, port);
            }
            length = builder.payloadLength(size).build();
            if (frontend.transmit(frame, 0, length) == VifFrontend.OK)
            {
                sent++;
                next += gapNs;
            }
            else
            {
                busy++;
                frontend.flush();
                poll();
            }
            if ((sent & 31) == 0)
            {
                poll();
            }
        }
        frontend.flush();
        final long elapsed = clock.nanoTime() - start;
        final long deadline = clock.nanoTime() + GO_BACK_NS;
        while (clock.nanoTime() - deadline < 0 && echoes < sent)
        {
            poll();
        }
        return new Report(sent, sent * length, elapsed, busy, echoes, echoBytes, badEchoes, 0, 0, false, null);
    }

    /**
     * Opens a TCP connection to {@code port}, sends {@code count} segments of {@code size} bytes (when
     * {@code count > 0}; else for {@code durationNs}), each a TSO frame with CSUM_PARTIAL when {@code tso}, then
     * closes it.
     *
     * @param port       the destination TCP port (a discard server or a kernel socket).
     * @param size       payload bytes of each segment or TSO frame.
     * @param tso        whether each send is one TSO frame (CSUM_PARTIAL, GSO size the peer's MSS).
     * @param count      how many to send; 0 or less: until {@code durationNs} passes.
     * @param durationNs the longest the run sends, in nanoseconds.
     * @param rate       most sends a second; 0 as fast as the peer's window allows.
     * @return what was sent and acknowledged; a failure when unresolved or without SYN-ACK.
     */
    public Report tcp(
        final int port, final int size, final boolean tso, final long count, final long durationNs, final long rate)
    {
        if (destinationMac < 0)
        {
            return Report.failed("destination not resolved");
        }
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
            poll();
        }
        if (synAck < 0)
        {
            return Report.failed("no SYN-ACK from " + dottedQuad(destinationIp) + ":" + port +
                (resets > 0 ? " (reset)" : ""));
        }
        rcvNxt = (synAck + 1) & SEQUENCE_MASK;
        sendTcp(port, sndNxt, rcvNxt, TcpHeader.ACK, 0, false, 0);
        final int mss = Math.min(peerMss, frontend.config().mtu() - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH);
        final int segment = tso ? size : Math.min(size, mss);
        final long total = count > 0 ? count * (long)segment : Long.MAX_VALUE / 4;
        long sent = 0;
        long sentFrames = 0;
        long busy = 0;
        long retransmits = 0;
        final long start = clock.nanoTime();
        final long end = start + durationNs;
        long lastProgress = start;
        long acked = 0;
        final long gapNs = rate > 0 ? 1_000_000_000L / rate : 0;
        long next = start;
        while (acked < total && clock.nanoTime() - end < 0)
        {
            poll();
            final long now = clock.nanoTime();
            final long newlyAcked = (ackSeen - sndUna) & SEQUENCE_MASK;
            if (ackSeen >= 0 && newlyAcked > 0 && newlyAcked <= ((sndNxt - sndUna) & SEQUENCE_MASK))
            {
                sndUna = ackSeen;
                acked += newlyAcked;
                lastProgress = now;
            }
            if (now - lastProgress > GO_BACK_NS && sndNxt != sndUna)
            {
                // go back N: the peer lost something (or a queue dropped it); resend from the first unacknowledged byte
                sent -= (sndNxt - sndUna) & SEQUENCE_MASK;
                sndNxt = sndUna;
                lastProgress = now;
                retransmits++;
            }
            final long inFlight = (sndNxt - sndUna) & SEQUENCE_MASK;
            final long remaining = total - acked - inFlight;
            final int length = (int)Math.min(segment, remaining);
            if (length <= 0 || inFlight + length > window || (gapNs > 0 && now - next < 0))
            {
                continue;
            }
            final int status = sendTcp(port, sndNxt, rcvNxt, TcpHeader.PSH | TcpHeader.ACK, length, false,
                length > mss ? mss : 0);
            if (status == VifFrontend.OK)
            {
                sndNxt = (sndNxt + length) & SEQUENCE_MASK;
                sent += length;
                sentFrames++;
                next += gapNs;
            }
            else
            {
                busy++;
            }
            frontend.flush();
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
            poll();
        }
        if (peerFin)
        {
            sendTcp(port, (sndNxt + 1) & SEQUENCE_MASK, rcvNxt, TcpHeader.ACK, 0, false, 0);
            frontend.flush();
        }
        return new Report(sentFrames, sent, elapsed, busy, 0, 0, 0, acked, retransmits, finAcked(sndNxt), null);
    }

    private int sendTcp(
        final int port, final long seq, final long ack, final int flags, final int payload, final boolean syn,
        final int gso)
    {
        ipv4Headers();
        builder.tcp(SOURCE_PORT, port, seq, ack, flags, WINDOW);
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

    private void ipv4Headers()
    {
        builder.wrap(frame, 0)
            .ethernet(destinationMac, stack.mac())
            .ipv4(stack.ipv4(), destinationIp).identification(ipId++ & 0xFFFF);
    }

    private void poll()
    {
        try
        {
            poller.doWork();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("guest poll failed: " + ex.getMessage(), ex);
        }
    }

    private static String dottedQuad(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    private boolean finAcked(final long finSeq)
    {
        return finAck == ((finSeq + 1) & SEQUENCE_MASK);
    }

    /** UDP echoes, ICMP echo replies and TCP segments from the destination that the stack did not answer. */
    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        final int ip = offset + EthernetHeader.LENGTH;
        if (length < EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH ||
            EthernetHeader.etherType(buffer, offset) != EthernetHeader.ETHERTYPE_IPV4 ||
            Ipv4Header.source(buffer, ip) != destinationIp)
        {
            return;
        }
        final int ihl = Ipv4Header.headerLength(buffer, ip);
        final int l4 = ip + ihl;
        final int l4Length = Ipv4Header.totalLength(buffer, ip) - ihl;
        final int protocol = Ipv4Header.protocol(buffer, ip);
        if (l4Length < UdpHeader.LENGTH || EthernetHeader.LENGTH + ihl + l4Length > length)
        {
            return;
        }
        final boolean echoReply = protocol == IpProtocol.ICMP && IcmpHeader.type(buffer, l4) == IcmpHeader.V4_ECHO_REPLY &&
            IcmpHeader.identifier(buffer, l4) == SOURCE_PORT;
        if (!echoReply && UdpHeader.destinationPort(buffer, l4) != SOURCE_PORT)
        {
            return;
        }
        if (protocol == IpProtocol.UDP || echoReply)
        {
            final int size = l4Length - UdpHeader.LENGTH;
            echoes++;
            echoBytes += size;
            if (size != expectedEchoSize ||
                (size > 0 && buffer.getByte(l4 + UdpHeader.LENGTH + size - 1) != (byte)((size - 1) * 7 + 3)))
            {
                badEchoes++;
            }
        }
        else if (protocol == IpProtocol.TCP && l4Length >= TcpHeader.MIN_LENGTH)
        {
            tcpSegment(buffer, l4, l4Length);
        }
    }

    private void tcpSegment(final DirectBuffer buffer, final int l4, final int l4Length)
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

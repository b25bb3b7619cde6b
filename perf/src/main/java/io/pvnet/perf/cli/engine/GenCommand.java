package io.pvnet.perf.cli.engine;

import io.pvnet.engine.FrameHandler;
import io.pvnet.engine.FrameFlags;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.netif.NetifConstants;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Callable;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * {@code pvnet gen --region PATH --vif I --ip ADDR/PREFIX --dst IP [--proto udp|tcp] [--size N] [--tso] [--rate PPS]
 * [--count N | --duration S]}: a guest that generates traffic. Resolves the destination by ARP, then sends UDP
 * datagrams of {@code size} payload bytes to port 7 (answered = echoes received), or opens a TCP connection to port 9
 * (or {@code --port}) and sends {@code size}-byte segments, or with {@code --tso} TSO frames of {@code size} bytes that
 * the switch or the kernel splits (answered = bytes acknowledged), then closes it. Reports what was sent and answered.
 */
@Command(name = "gen", mixinStandardHelpOptions = true,
    description = "Generate UDP or TCP (optionally TSO) traffic from a guest and report what was sent and answered.")
public final class GenCommand implements Callable<Integer>
{
    private static final int SOURCE_PORT = 40_000;

    @Option(names = "--region", required = true, paramLabel = "PATH", description = "The switch's region file.")
    String region;

    @Option(names = "--vif", required = true, paramLabel = "I", description = "Which vif of the switch (1..N).")
    int vif;

    @Option(names = "--ip", required = true, paramLabel = "ADDR/PREFIX", description = "This guest's IPv4 address.")
    String ip;

    @Option(names = "--mac", paramLabel = "MAC", description = "MAC address (default 00:16:3e:00:I:00).")
    String mac;

    @Option(names = "--dst", required = true, paramLabel = "IP", description = "Destination (IPv4, on the link).")
    String dst;

    @Option(names = "--port", paramLabel = "P", description = "Destination port (default 7 for udp, 9 for tcp).")
    int port = -1;

    @Option(names = "--proto", paramLabel = "udp|tcp|icmp", description = "Protocol (default udp).")
    String proto = "udp";

    @Option(names = "--size", paramLabel = "N", description = "Payload bytes per datagram/segment/TSO frame (default 1000).")
    int size = 1000;

    @Option(names = "--tso", description = "TCP: send TSO frames (CSUM_PARTIAL + GSO size = MSS).")
    boolean tso;

    @Option(names = "--rate", paramLabel = "PPS", description = "Frames per second (default: as fast as possible).")
    long rate;

    @Option(names = "--count", paramLabel = "N", description = "Frames (udp) or bytes/size segments (tcp) to send.")
    long count = -1;

    @Option(names = "--duration", paramLabel = "S", description = "Seconds to send (default 1 unless --count).")
    double duration = -1;

    @Option(names = "--wait", paramLabel = "SECONDS", description = "How long to wait for the switch (default 20).")
    int waitSeconds = 20;

    PrintStream out = System.out;
    PrintStream err = System.err;

    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(14 + 65535));
    private final Replies replies = new Replies();
    private GuestNode node;
    private int dstIp;
    private long dstMac;
    private int ipId;

    @Override
    public Integer call() throws Exception
    {
        final GuestNode.Settings settings;
        final boolean udp;
        try
        {
            settings = GuestCommand.settings(region, vif, ip, null, mac);
            dstIp = HostArguments.ipv4("--dst", dst).ipv4();
            if (!"udp".equals(proto) && !"tcp".equals(proto) && !"icmp".equals(proto))
            {
                throw new IllegalArgumentException("--proto=" + proto + " must be udp, tcp or icmp");
            }
            udp = !"tcp".equals(proto);
            if (tso && udp)
            {
                throw new IllegalArgumentException("--tso needs --proto tcp");
            }
            final int maxSize = udp || tso ? 65535 - 28 - 20 : 1500 - 40;
            if (size < 1 || size > maxSize)
            {
                throw new IllegalArgumentException("--size=" + size + " must be in 1.." + maxSize + " for " + proto +
                    (tso ? " with --tso" : ""));
            }
            if (count >= 0 && duration >= 0)
            {
                throw new IllegalArgumentException("--count and --duration exclude each other");
            }
            if (count == 0 || rate < 0 || duration == 0 || duration > 86_400)
            {
                throw new IllegalArgumentException("--count, --rate and --duration must be positive (duration <= 86400)");
            }
            if (port == -1)
            {
                port = udp ? GuestStack.ECHO_PORT : GuestStack.DISCARD_PORT;
            }
            if (port < 1 || port > 65535)
            {
                throw new IllegalArgumentException("--port=" + port + " must be in 1..65535");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("pvnet gen: " + ex.getMessage());
            return 2;
        }
        try (GuestNode opened = GuestNode.open(settings, waitSeconds * 1_000_000_000L))
        {
            node = opened;
            node.stack().other(replies);
            if (!connect() || !resolve())
            {
                return 1;
            }
            final long durationNs = duration > 0 ? (long)(duration * 1e9) : count > 0 ? Long.MAX_VALUE / 4 : 1_000_000_000L;
            return udp ? udp(durationNs, "icmp".equals(proto)) : tcp(durationNs);
        }
        catch (final IllegalStateException ex)
        {
            err.println("pvnet gen: " + ex.getMessage());
            return 1;
        }
    }

    private boolean connect()
    {
        final long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (!node.frontend().isConnected() && System.nanoTime() - deadline < 0)
        {
            node.doWork();
            Thread.onSpinWait();
        }
        if (!node.frontend().isConnected())
        {
            err.println("pvnet gen: vif " + vif + " did not connect (is pvnet switch running?)");
        }
        return node.frontend().isConnected();
    }

    private boolean resolve()
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        long nextRequest = System.nanoTime();
        while (System.nanoTime() - deadline < 0)
        {
            if (System.nanoTime() - nextRequest >= 0)
            {
                node.stack().sendArpRequest(dstIp);
                node.frontend().flush();
                nextRequest = System.nanoTime() + 200_000_000L;
            }
            node.doWork();
            dstMac = node.stack().neighbourMac4(dstIp);
            if (dstMac >= 0)
            {
                return true;
            }
            Thread.onSpinWait();
        }
        err.println("pvnet gen: no ARP reply from " + dst);
        return false;
    }

    /** UDP datagrams to the echo port, or ICMP echo requests ({@code icmp}); both answered by echoes. */
    private int udp(final long durationNs, final boolean icmp)
    {
        final int length = headers(icmp ? 1 : 17, 8 + size);
        if (icmp)
        {
            frame.putInt(34, 0x0800_0000, BIG_ENDIAN);
            frame.putInt(38, SOURCE_PORT << 16, BIG_ENDIAN);
        }
        else
        {
            frame.putShort(34, (short)SOURCE_PORT, BIG_ENDIAN);
            frame.putShort(36, (short)port, BIG_ENDIAN);
            frame.putShort(38, (short)(8 + size), BIG_ENDIAN);
        }
        for (int i = 0; i < size; i++)
        {
            frame.putByte(42 + i, (byte)(i * 7 + 3));
        }
        long sent = 0;
        long busy = 0;
        final long start = System.nanoTime();
        final long end = start + durationNs;
        final long gapNs = rate > 0 ? 1_000_000_000L / rate : 0;
        long next = start;
        final VifFrontend frontend = node.frontend();
        while ((count < 0 || sent < count) && System.nanoTime() - end < 0)
        {
            if (gapNs > 0 && System.nanoTime() - next < 0)
            {
                node.doWork();
                continue;
            }
            finishIpv4(length - 14);
            if (icmp)
            {
                frame.putShort(40, (short)sent, BIG_ENDIAN);
                frame.putShort(36, (short)0);
                frame.putShort(36, (short)~GuestStack.fold(GuestStack.sum(frame, 34, 8 + size, 0)), BIG_ENDIAN);
            }
            else
            {
                frame.putShort(40, (short)0);
                frame.putShort(40, l4Sum(8 + size, 17, false), BIG_ENDIAN);
            }
            if (frontend.transmit(frame, 0, length, 0, 0, 0) == VifFrontend.OK)
            {
                sent++;
                next += gapNs;
            }
            else
            {
                busy++;
                frontend.flush();
                node.doWork();
            }
            if ((sent & 31) == 0)
            {
                node.doWork();
            }
        }
        frontend.flush();
        final long elapsed = System.nanoTime() - start;
        drain(200_000_000L, sent);
        report(sent, (long)sent * length, elapsed, "answered " + replies.udpReplies + " (" + proto + " echoes, " +
            replies.udpBytes + " bytes, " + replies.udpBad + " bad)", busy);
        return 0;
    }

    private void drain(final long ns, final long expected)
    {
        final long deadline = System.nanoTime() + ns;
        while (System.nanoTime() - deadline < 0 && replies.udpReplies < expected)
        {
            node.doWork();
        }
    }

    private int tcp(final long durationNs)
    {
        final Replies tcp = replies;
        final long iss = 0x2000_0000L;
        long sndUna = (iss + 1) & 0xFFFF_FFFFL;
        long sndNxt = sndUna;
        // SYN with MSS and window scale options
        long deadline = System.nanoTime() + 5_000_000_000L;
        long nextSyn = 0;
        while (tcp.synAck < 0 && System.nanoTime() - deadline < 0)
        {
            if (System.nanoTime() - nextSyn >= 0)
            {
                sendTcp(iss, 0, 0x02, 0, true);
                nextSyn = System.nanoTime() + 300_000_000L;
            }
            node.doWork();
        }
        if (tcp.synAck < 0)
        {
            err.println("pvnet gen: no SYN-ACK from " + dst + ":" + port + (tcp.resets > 0 ? " (reset)" : ""));
            return 1;
        }
        final long ack = (tcp.synAck + 1) & 0xFFFF_FFFFL;
        tcp.rcvNxt = ack;
        sendTcp(sndNxt, ack, 0x10, 0, false);
        final int mss = Math.min(tcp.mss, node.frontend().config().mtu() - 40);
        final int segment = tso ? size : Math.min(size, mss);
        final long total = count > 0 ? count * (long)segment : Long.MAX_VALUE / 4;
        long sent = 0;
        long sentFrames = 0;
        long busy = 0;
        long retransmits = 0;
        final long start = System.nanoTime();
        final long end = start + durationNs;
        long lastProgress = start;
        long acked = 0;
        final long gapNs = rate > 0 ? 1_000_000_000L / rate : 0;
        long next = start;
        while (acked < total && System.nanoTime() - end < 0)
        {
            node.doWork();
            final long now = System.nanoTime();
            final long newlyAcked = (tcp.ackSeen - sndUna) & 0xFFFF_FFFFL;
            if (tcp.ackSeen >= 0 && newlyAcked > 0 && newlyAcked <= ((sndNxt - sndUna) & 0xFFFF_FFFFL))
            {
                sndUna = tcp.ackSeen;
                acked += newlyAcked;
                lastProgress = now;
            }
            if (now - lastProgress > 200_000_000L && sndNxt != sndUna)
            {
                // go back N: the peer lost something (or a queue dropped it); resend from the first unacknowledged byte
                sent -= (sndNxt - sndUna) & 0xFFFF_FFFFL;
                sndNxt = sndUna;
                lastProgress = now;
                retransmits++;
            }
            final long inFlight = (sndNxt - sndUna) & 0xFFFF_FFFFL;
            final long remaining = total - acked - inFlight;
            final int length = (int)Math.min(segment, remaining);
            if (length <= 0 || inFlight + length > tcp.window || (gapNs > 0 && now - next < 0))
            {
                continue;
            }
            final int status = sendTcp(sndNxt, tcp.rcvNxt, 0x18, length, false, length > mss ? mss : 0);
            if (status == VifFrontend.OK)
            {
                sndNxt = (sndNxt + length) & 0xFFFF_FFFFL;
                sent += length;
                sentFrames++;
                next += gapNs;
            }
            else
            {
                busy++;
            }
            node.frontend().flush();
        }
        final long elapsed = System.nanoTime() - start;
        // FIN, answered by the peer's FIN or ACK
        deadline = System.nanoTime() + 2_000_000_000L;
        long nextFin = 0;
        while (!tcp.finAcked(sndNxt) && System.nanoTime() - deadline < 0)
        {
            if (System.nanoTime() - nextFin >= 0)
            {
                sendTcp(sndNxt, tcp.rcvNxt, 0x11, 0, false);
                nextFin = System.nanoTime() + 300_000_000L;
            }
            node.doWork();
        }
        if (tcp.peerFin)
        {
            sendTcp((sndNxt + 1) & 0xFFFF_FFFFL, tcp.rcvNxt, 0x10, 0, false);
            node.frontend().flush();
        }
        report(sentFrames, sent, elapsed, "answered " + acked + " bytes acknowledged, retransmit rounds " + retransmits +
            (tcp.finAcked(sndNxt) ? ", closed" : ", close not acknowledged"), busy);
        return 0;
    }

    private int sendTcp(final long seq, final long ack, final int flags, final int payload, final boolean syn)
    {
        return sendTcp(seq, ack, flags, payload, syn, 0);
    }

    private int sendTcp(final long seq, final long ack, final int flags, final int payload, final boolean syn, final int gso)
    {
        final int headerLength = syn ? 28 : 20;
        final int length = headers(6, headerLength + payload);
        frame.putShort(34, (short)SOURCE_PORT, BIG_ENDIAN);
        frame.putShort(36, (short)port, BIG_ENDIAN);
        frame.putInt(38, (int)seq, BIG_ENDIAN);
        frame.putInt(42, (int)ack, BIG_ENDIAN);
        frame.putByte(46, (byte)((headerLength / 4) << 4));
        frame.putByte(47, (byte)flags);
        frame.putShort(48, (short)65535, BIG_ENDIAN);
        frame.putInt(50, 0);
        if (syn)
        {
            frame.putInt(54, 0x0204_0000 | (node.frontend().config().mtu() - 40), BIG_ENDIAN);
            frame.putInt(58, 0x0103_0307, BIG_ENDIAN);
        }
        for (int i = 0; i < payload; i += 64)
        {
            frame.putByte(14 + 20 + headerLength + i, (byte)i);
        }
        finishIpv4(length - 14);
        final boolean partial = gso > 0;
        frame.putShort(50, l4Sum(headerLength + payload, 6, partial), BIG_ENDIAN);
        final int status = node.frontend().transmit(frame, 0, length, partial ? FrameFlags.CSUM_PARTIAL : 0, gso,
            partial ? NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4 : 0);
        node.frontend().flush();
        return status;
    }

    /** Ethernet + IPv4 header for {@code l4Length} bytes of {@code protocol}. @return the frame length. */
    private int headers(final int protocol, final int l4Length)
    {
        frame.putShort(0, (short)(dstMac >>> 32), BIG_ENDIAN);
        frame.putInt(2, (int)dstMac, BIG_ENDIAN);
        final long ours = node.stack().mac();
        frame.putShort(6, (short)(ours >>> 32), BIG_ENDIAN);
        frame.putInt(8, (int)ours, BIG_ENDIAN);
        frame.putShort(12, (short)0x0800, BIG_ENDIAN);
        frame.putByte(14, (byte)0x45);
        frame.putByte(15, (byte)0);
        frame.putShort(16, (short)(20 + l4Length), BIG_ENDIAN);
        frame.putShort(20, (short)0x4000, BIG_ENDIAN);
        frame.putByte(22, (byte)64);
        frame.putByte(23, (byte)protocol);
        frame.putInt(26, node.stack().ipv4(), BIG_ENDIAN);
        frame.putInt(30, dstIp, BIG_ENDIAN);
        return 14 + 20 + l4Length;
    }

    private void finishIpv4(final int totalLength)
    {
        frame.putShort(18, (short)ipId++, BIG_ENDIAN);
        frame.putShort(24, (short)0);
        frame.putShort(24, (short)~GuestStack.fold(GuestStack.sum(frame, 14, 20, 0)), BIG_ENDIAN);
    }

    /** @return the full L4 checksum, or with {@code partial} the folded pseudo-header sum (Linux CHECKSUM_PARTIAL). */
    private short l4Sum(final int l4Length, final int protocol, final boolean partial)
    {
        final long pseudo = GuestStack.sum(frame, 26, 8, 0) + protocol + l4Length;
        if (partial)
        {
            return (short)GuestStack.fold(pseudo);
        }
        final int folded = ~GuestStack.fold(GuestStack.sum(frame, 34, l4Length, pseudo)) & 0xFFFF;
        return (short)(folded == 0 && protocol == 17 ? 0xFFFF : folded);
    }

    private void report(final long frames, final long bytes, final long elapsedNs, final String answered, final long busy)
    {
        final double seconds = elapsedNs / 1e9;
        out.printf("pvnet gen: %s to %s port %d: sent %d frames, %d bytes in %.3f s (%.3f Mpps, %.3f Gbit/s), %s, " +
            "ring-busy %d%n", proto + (tso ? " tso" : ""), dst, port, frames, bytes, seconds, frames / seconds / 1e6,
            bytes * 8 / seconds / 1e9, answered, busy);
        out.flush();
    }

    /** UDP echoes and TCP segments addressed to the generator (the stack hands over what it does not answer). */
    private final class Replies implements FrameHandler
    {
        long udpReplies;
        long udpBytes;
        long udpBad;
        long synAck = -1;
        long ackSeen = -1;
        long window = 65535;
        int windowShift;
        int mss = 536;
        long rcvNxt;
        boolean peerFin;
        long finAck = -1;
        long resets;

        @Override
        public void onFrame(final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize)
        {
            if (length < 34 || buffer.getShort(offset + 12, BIG_ENDIAN) != 0x0800 ||
                buffer.getInt(offset + 26, BIG_ENDIAN) != dstIp)
            {
                return;
            }
            final int ihl = (buffer.getByte(offset + 14) & 0xF) * 4;
            final int l4 = offset + 14 + ihl;
            final int l4Length = (buffer.getShort(offset + 16, BIG_ENDIAN) & 0xFFFF) - ihl;
            final int protocol = buffer.getByte(offset + 23) & 0xFF;
            if (l4Length < 8 || 14 + ihl + l4Length > length)
            {
                return;
            }
            final boolean echoReply = protocol == 1 && buffer.getByte(l4) == 0 &&
                (buffer.getShort(l4 + 4, BIG_ENDIAN) & 0xFFFF) == SOURCE_PORT;
            if (!echoReply && (buffer.getShort(l4 + 2, BIG_ENDIAN) & 0xFFFF) != SOURCE_PORT)
            {
                return;
            }
            if (protocol == 17 || echoReply)
            {
                udpReplies++;
                udpBytes += l4Length - 8;
                if (l4Length - 8 != size || (size > 0 && buffer.getByte(l4 + 8 + size - 1) != (byte)((size - 1) * 7 + 3)))
                {
                    udpBad++;
                }
            }
            else if (protocol == 6 && l4Length >= 20)
            {
                tcpSegment(buffer, l4, l4Length);
            }
        }

        private void tcpSegment(final DirectBuffer buffer, final int l4, final int l4Length)
        {
            final int tcpFlags = buffer.getByte(l4 + 13) & 0xFF;
            final long seq = buffer.getInt(l4 + 4, BIG_ENDIAN) & 0xFFFF_FFFFL;
            final long ack = buffer.getInt(l4 + 8, BIG_ENDIAN) & 0xFFFF_FFFFL;
            final int dataOffset = ((buffer.getByte(l4 + 12) & 0xFF) >>> 4) * 4;
            if ((tcpFlags & 0x04) != 0)
            {
                resets++;
                return;
            }
            if ((tcpFlags & 0x12) == 0x12)
            {
                synAck = seq;
                for (int o = 20; o + 1 < dataOffset && o < l4Length; )
                {
                    final int kind = buffer.getByte(l4 + o) & 0xFF;
                    if (kind == 0)
                    {
                        break;
                    }
                    if (kind == 1)
                    {
                        o++;
                        continue;
                    }
                    final int optionLength = buffer.getByte(l4 + o + 1) & 0xFF;
                    if (optionLength < 2)
                    {
                        break;
                    }
                    if (kind == 2 && optionLength == 4)
                    {
                        mss = buffer.getShort(l4 + o + 2, BIG_ENDIAN) & 0xFFFF;
                    }
                    else if (kind == 3 && optionLength == 3)
                    {
                        windowShift = Math.min(14, buffer.getByte(l4 + o + 2) & 0xFF);
                    }
                    o += optionLength;
                }
                window = buffer.getShort(l4 + 14, BIG_ENDIAN) & 0xFFFF;
                return;
            }
            if ((tcpFlags & 0x10) != 0)
            {
                ackSeen = ack;
                window = (long)(buffer.getShort(l4 + 14, BIG_ENDIAN) & 0xFFFF) << windowShift;
                finAck = ack;
            }
            if ((tcpFlags & 0x01) != 0)
            {
                peerFin = true;
                rcvNxt = (seq + l4Length - dataOffset + 1) & 0xFFFF_FFFFL;
            }
        }

        boolean finAcked(final long finSeq)
        {
            return finAck == ((finSeq + 1) & 0xFFFF_FFFFL);
        }
    }
}

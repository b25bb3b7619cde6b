package io.pvnet.engine.port;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.TestChecksums;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * A tiny host for kernel tests, behind a port: answers ARP and NDP for its addresses, ICMP and ICMPv6 echo, UDP echo
 * on port 7, and accepts TCP on port 9 as a discard server (SYN-ACK, ACK for every segment, FIN answered), counting
 * what it saw: frames with {@code CSUM_PARTIAL}, GSO frames and the largest, TCP payload bytes. Test code: clear
 * rather than fast.
 */
public final class TestResponder implements FrameSink
{
    private final byte[] mac;
    private final byte[] ipv4;
    private final byte[] ipv6;
    private final UnsafeBuffer reply = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
    private volatile FrameSink out;

    public final AtomicLong frames = new AtomicLong();
    public final AtomicLong csumPartialFrames = new AtomicLong();
    /** CSUM_PARTIAL frames whose metadata does not put the checksum start at the L4 header (IPv4/IPv6). */
    public final AtomicLong checksumStartMismatches = new AtomicLong();
    public final AtomicLong gsoFrames = new AtomicLong();
    public final AtomicLong largestFrame = new AtomicLong();
    public final AtomicLong tcpPayloadBytes = new AtomicLong();
    public final AtomicLong tcpFins = new AtomicLong();
    public final AtomicLong udpEchoes = new AtomicLong();

    private long tcpNextExpected = -1;

    public TestResponder(final byte[] mac, final byte[] ipv4, final byte[] ipv6)
    {
        this.mac = mac;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
    }

    public TestResponder out(final FrameSink sink)
    {
        out = sink;
        return this;
    }

    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        frames.incrementAndGet();
        largestFrame.accumulateAndGet(length, Math::max);
        if (metadata.isChecksumPartial())
        {
            csumPartialFrames.incrementAndGet();
            final int etherType = length >= 34 ? buffer.getShort(offset + 12, BIG_ENDIAN) & 0xFFFF : 0;
            final int l4 = etherType == 0x0800 ? 14 + (buffer.getByte(offset + 14) & 0x0F) * 4 :
                etherType == 0x86DD ? 54 : metadata.checksumStart();
            if (metadata.checksumStart() != l4)
            {
                checksumStartMismatches.incrementAndGet();
            }
        }
        if (metadata.isGso())
        {
            gsoFrames.incrementAndGet();
        }
        if (length < 14)
        {
            return 0;
        }
        reply.putBytes(0, buffer, offset, length);
        final int etherType = reply.getShort(12, BIG_ENDIAN) & 0xFFFF;
        if (etherType == 0x0806)
        {
            arp(length);
        }
        else if (etherType == 0x0800 && length >= 34)
        {
            ipv4(length);
        }
        else if (etherType == 0x86DD && length >= 54)
        {
            ipv6(length);
        }
        return 0;
    }

    private void arp(final int length)
    {
        if (length < 42 || reply.getShort(20, BIG_ENDIAN) != 1 || !equals(reply, 38, ipv4))
        {
            return;
        }
        final byte[] senderMac = new byte[6];
        final byte[] senderIp = new byte[4];
        reply.getBytes(22, senderMac);
        reply.getBytes(28, senderIp);
        reply.putBytes(0, senderMac);
        reply.putBytes(6, mac);
        reply.putShort(20, (short)2, BIG_ENDIAN);
        reply.putBytes(22, mac);
        reply.putBytes(28, ipv4);
        reply.putBytes(32, senderMac);
        reply.putBytes(38, senderIp);
        send(42);
    }

    private void ipv4(final int length)
    {
        final int ihl = (reply.getByte(14) & 0xF) * 4;
        final int totalLength = reply.getShort(16, BIG_ENDIAN) & 0xFFFF;
        if (!equals(reply, 30, ipv4) || 14 + totalLength > length)
        {
            return;
        }
        final int protocol = reply.getByte(23) & 0xFF;
        final int l4 = 14 + ihl;
        final int l4Length = totalLength - ihl;
        swapMacs();
        swap(26, 30, 4);
        if (protocol == 1 && reply.getByte(l4) == 8)
        {
            reply.putByte(l4, (byte)0);
            reply.putShort(l4 + 2, (short)0);
            reply.putShort(l4 + 2, (short)~sum(l4, l4Length, 0), BIG_ENDIAN);
            finishIpv4(totalLength);
            send(14 + totalLength);
        }
        else if (protocol == 17 && (reply.getShort(l4 + 2, BIG_ENDIAN) & 0xFFFF) == 7)
        {
            swap(l4, l4 + 2, 2);
            reply.putShort(l4 + 6, (short)0);
            reply.putShort(l4 + 6, l4Checksum(pseudo4(17, l4Length), l4, l4Length), BIG_ENDIAN);
            finishIpv4(totalLength);
            udpEchoes.incrementAndGet();
            send(14 + totalLength);
        }
        else if (protocol == 6 && (reply.getShort(l4 + 2, BIG_ENDIAN) & 0xFFFF) == 9)
        {
            tcp(l4, l4Length);
        }
    }

    private void tcp(final int l4, final int l4Length)
    {
        final int tcpFlags = reply.getByte(l4 + 13) & 0xFF;
        final int dataOffset = ((reply.getByte(l4 + 12) & 0xFF) >>> 4) * 4;
        final long seq = reply.getInt(l4 + 4, BIG_ENDIAN) & 0xFFFFFFFFL;
        final int payload = l4Length - dataOffset;
        long ack;
        int replyFlags = 0x10;
        if ((tcpFlags & 0x02) != 0)
        {
            ack = seq + 1;
            replyFlags = 0x12;
            tcpNextExpected = ack;
        }
        else
        {
            if (seq == tcpNextExpected && payload > 0)
            {
                tcpPayloadBytes.addAndGet(payload);
                tcpNextExpected = (seq + payload) & 0xFFFFFFFFL;
            }
            if ((tcpFlags & 0x01) != 0 && (seq + payload & 0xFFFFFFFFL) == tcpNextExpected)
            {
                tcpNextExpected = (tcpNextExpected + 1) & 0xFFFFFFFFL;
                tcpFins.incrementAndGet();
                replyFlags = 0x11;
            }
            if ((tcpFlags & 0x04) != 0 || payload == 0 && (tcpFlags & 0x01) == 0)
            {
                return;
            }
            ack = tcpNextExpected;
        }
        final boolean syn = (tcpFlags & 0x02) != 0;
        final long ourSeq = syn ? 1000 : reply.getInt(l4 + 8, BIG_ENDIAN) & 0xFFFFFFFFL;
        final int headerLength = syn ? 24 : 20;
        swap(l4, l4 + 2, 2);
        reply.putInt(l4 + 4, (int)ourSeq, BIG_ENDIAN);
        reply.putInt(l4 + 8, (int)ack, BIG_ENDIAN);
        reply.putByte(l4 + 12, (byte)((headerLength / 4) << 4));
        reply.putByte(l4 + 13, (byte)replyFlags);
        reply.putShort(l4 + 14, (short)65535, BIG_ENDIAN);
        reply.putShort(l4 + 16, (short)0);
        reply.putShort(l4 + 18, (short)0);
        if (syn)
        {
            reply.putInt(l4 + 20, 0x020405B4, BIG_ENDIAN);
        }
        reply.putShort(l4 + 16, l4Checksum(pseudo4(6, headerLength), l4, headerLength), BIG_ENDIAN);
        final int ihl = l4 - 14;
        finishIpv4(ihl + headerLength);
        send(14 + ihl + headerLength);
    }

    private void ipv6(final int length)
    {
        final int payloadLength = reply.getShort(18, BIG_ENDIAN) & 0xFFFF;
        final int next = reply.getByte(20) & 0xFF;
        if (next != 58 || 54 + payloadLength > length)
        {
            return;
        }
        final int type = reply.getByte(54) & 0xFF;
        if (type == 135 && payloadLength >= 24 && equals(reply, 62, ipv6))
        {
            // neighbour solicitation for us: answer with an advertisement carrying our link-layer address
            swapMacs();
            reply.putBytes(38, reply, 22, 16);
            reply.putBytes(22, ipv6);
            reply.putByte(21, (byte)255);
            reply.putByte(54, (byte)136);
            reply.putByte(55, (byte)0);
            reply.putInt(58, 0x60000000, BIG_ENDIAN);
            reply.putByte(78, (byte)2);
            reply.putByte(79, (byte)1);
            reply.putBytes(80, mac);
            reply.putShort(18, (short)32, BIG_ENDIAN);
            icmpv6Checksum(32);
            send(54 + 32);
        }
        else if (type == 128 && equals(reply, 38, ipv6))
        {
            swapMacs();
            swap(22, 38, 16);
            reply.putByte(54, (byte)129);
            icmpv6Checksum(payloadLength);
            send(54 + payloadLength);
        }
    }

    private void icmpv6Checksum(final int payloadLength)
    {
        reply.putShort(56, (short)0);
        long pseudo = sum(22, 32, 0) + payloadLength + 58;
        reply.putShort(56, (short)~fold(sum(54, payloadLength, pseudo)), BIG_ENDIAN);
    }

    private long pseudo4(final int protocol, final int l4Length)
    {
        return sum(26, 8, 0) + protocol + l4Length;
    }

    private short l4Checksum(final long pseudo, final int l4, final int l4Length)
    {
        final int folded = ~fold(sum(l4, l4Length, pseudo)) & 0xFFFF;
        return (short)(folded == 0 ? 0xFFFF : folded);
    }

    private void finishIpv4(final int totalLength)
    {
        final int ihl = (reply.getByte(14) & 0xF) * 4;
        reply.putShort(16, (short)totalLength, BIG_ENDIAN);
        reply.putByte(22, (byte)64);
        reply.putShort(24, (short)0);
        reply.putShort(24, (short)~fold(sum(14, ihl, 0)), BIG_ENDIAN);
    }

    private void send(final int length)
    {
        final FrameSink sink = out;
        if (sink != null)
        {
            sink.onFrame(reply, 0, length, FrameMetadata.of(0, 0, 0));
        }
    }

    private void swapMacs()
    {
        reply.putBytes(0, reply, 6, 6);
        reply.putBytes(6, mac);
    }

    private void swap(final int a, final int b, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final byte t = reply.getByte(a + i);
            reply.putByte(a + i, reply.getByte(b + i));
            reply.putByte(b + i, t);
        }
    }

    private long sum(final int offset, final int length, final long initial)
    {
        return TestChecksums.sum(reply, offset, length, initial);
    }

    private static int fold(final long sum)
    {
        return TestChecksums.fold(sum);
    }

    /** Internet checksum of {@code buffer[offset, offset + length)}, for tests that verify frames. */
    public static int checksum(final DirectBuffer buffer, final int offset, final int length, final long initial)
    {
        return ~fold(TestChecksums.sum(buffer, offset, length, initial)) & 0xFFFF;
    }

    private static boolean equals(final DirectBuffer buffer, final int offset, final byte[] bytes)
    {
        for (int i = 0; i < bytes.length; i++)
        {
            if (buffer.getByte(offset + i) != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    static
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new IllegalStateException("tests assume a little-endian host");
        }
    }
}

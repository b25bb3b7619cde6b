package io.pvnet.testsupport;

import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Test frames, with their own RFC 1071 arithmetic so expected values do not come from the code under test: a fluent
 * builder on byte arrays ({@link #frame()}, allocates freely), and writers that build Ethernet / 802.1Q / IPv4 UDP and
 * TCP frames in place in an Agrona buffer ({@link #udp4}, {@link #tcp4}, {@link #raw}) with {@link #l4ChecksumOk}.
 */
public final class TestFrames
{
    /** How the builder leaves checksum fields. */
    public enum Sum
    {
        CORRECT,
        /** Pseudo-header sum only, as a sender with checksum offload (Linux CHECKSUM_PARTIAL) leaves it. */
        PSEUDO_ONLY,
        ZERO
    }

    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMP = 1;
    public static final int ICMPV6 = 58;

    private final List<int[]> vlanTags = new ArrayList<>();
    private int ipVersion = 4;
    private byte[] ipv4Options = new byte[0];
    private final List<byte[]> ipv6Extensions = new ArrayList<>();
    private final List<Integer> ipv6ExtensionTypes = new ArrayList<>();
    private int protocol = TCP;
    private int ipId = 0x1234;
    private boolean dontFragment = true;
    private int ttl = 64;
    private byte[] src4 = {10, 0, 0, 1};
    private byte[] dst4 = {10, 0, 0, 2};
    private byte[] src6 = hex("20010db8000000000000000000000001");
    private byte[] dst6 = hex("20010db8000000000000000000000002");
    private int sequence = 0x01020304;
    private int ack = 0x0a0b0c0d;
    private int tcpFlags = 0x18;
    private byte[] tcpOptions = new byte[0];
    private int sourcePort = 40000;
    private int destinationPort = 5001;
    private int icmpType = 8;
    private byte[] payload = new byte[0];
    private Sum ipSum = Sum.CORRECT;
    private Sum l4Sum = Sum.CORRECT;

    public static TestFrames frame()
    {
        return new TestFrames();
    }

    public TestFrames vlan(final int tpid, final int tci)
    {
        vlanTags.add(new int[] {tpid, tci});
        return this;
    }

    public TestFrames ipv6()
    {
        ipVersion = 6;
        return this;
    }

    public TestFrames ipv4Options(final byte[] options)
    {
        ipv4Options = options;
        return this;
    }

    /** Adds an IPv6 extension header of {@code type} whose body after the next-header byte is {@code rest}. */
    public TestFrames ipv6Extension(final int type, final byte[] rest)
    {
        ipv6ExtensionTypes.add(type);
        ipv6Extensions.add(rest);
        return this;
    }

    public TestFrames protocol(final int value)
    {
        protocol = value;
        return this;
    }

    public TestFrames ipId(final int value)
    {
        ipId = value;
        return this;
    }

    public TestFrames dontFragment(final boolean value)
    {
        dontFragment = value;
        return this;
    }

    public TestFrames sequence(final int value)
    {
        sequence = value;
        return this;
    }

    public TestFrames tcpFlags(final int value)
    {
        tcpFlags = value;
        return this;
    }

    public TestFrames tcpOptions(final byte[] value)
    {
        tcpOptions = value;
        return this;
    }

    public TestFrames icmpType(final int value)
    {
        icmpType = value;
        return this;
    }

    public TestFrames payload(final byte[] value)
    {
        payload = value;
        return this;
    }

    public TestFrames payload(final int length, final long seed)
    {
        payload = new byte[length];
        new java.util.SplittableRandom(seed).nextBytes(payload);
        return this;
    }

    public TestFrames ipSum(final Sum value)
    {
        ipSum = value;
        return this;
    }

    public TestFrames l4Sum(final Sum value)
    {
        l4Sum = value;
        return this;
    }

    public byte[] build()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(hex("020000000002020000000001"));
        for (final int[] tag : vlanTags)
        {
            putShort(out, tag[0]);
            putShort(out, tag[1]);
        }
        putShort(out, ipVersion == 4 ? 0x0800 : 0x86DD);
        final byte[] l4 = l4();
        if (ipVersion == 4)
        {
            final int headerLength = 20 + ipv4Options.length;
            final byte[] ip = new byte[headerLength];
            ip[0] = (byte)(0x40 | headerLength / 4);
            setShort(ip, 2, headerLength + l4.length);
            setShort(ip, 4, ipId);
            setShort(ip, 6, dontFragment ? 0x4000 : 0);
            ip[8] = (byte)ttl;
            ip[9] = (byte)protocol;
            System.arraycopy(src4, 0, ip, 12, 4);
            System.arraycopy(dst4, 0, ip, 16, 4);
            System.arraycopy(ipv4Options, 0, ip, 20, ipv4Options.length);
            if (ipSum == Sum.CORRECT)
            {
                setShort(ip, 10, checksum(ip, 0, ip.length, 0));
            }
            out.writeBytes(ip);
            fillL4Sum(l4, pseudo4(l4.length));
        }
        else
        {
            final ByteArrayOutputStream extensions = new ByteArrayOutputStream();
            for (int i = 0; i < ipv6Extensions.size(); i++)
            {
                final int next = i + 1 < ipv6Extensions.size() ? ipv6ExtensionTypes.get(i + 1) : protocol;
                extensions.write(next);
                extensions.writeBytes(ipv6Extensions.get(i));
            }
            final byte[] ip = new byte[40];
            ip[0] = 0x60;
            setShort(ip, 4, extensions.size() + l4.length);
            ip[6] = (byte)(ipv6Extensions.isEmpty() ? protocol : ipv6ExtensionTypes.get(0));
            ip[7] = (byte)ttl;
            System.arraycopy(src6, 0, ip, 8, 16);
            System.arraycopy(dst6, 0, ip, 24, 16);
            out.writeBytes(ip);
            out.writeBytes(extensions.toByteArray());
            fillL4Sum(l4, pseudo6(l4.length));
        }
        out.writeBytes(l4);
        return out.toByteArray();
    }

    private byte[] l4()
    {
        final ByteArrayOutputStream l4 = new ByteArrayOutputStream();
        if (protocol == TCP)
        {
            putShort(l4, sourcePort);
            putShort(l4, destinationPort);
            putInt(l4, sequence);
            putInt(l4, ack);
            l4.write(((20 + tcpOptions.length) / 4) << 4);
            l4.write(tcpFlags);
            putShort(l4, 0xFFFF);
            putShort(l4, 0);
            putShort(l4, 0);
            l4.writeBytes(tcpOptions);
        }
        else if (protocol == UDP)
        {
            putShort(l4, sourcePort);
            putShort(l4, destinationPort);
            putShort(l4, 8 + payload.length);
            putShort(l4, 0);
        }
        else if (protocol == ICMP || protocol == ICMPV6)
        {
            l4.write(icmpType);
            l4.write(0);
            putShort(l4, 0);
            putInt(l4, 0x00010002);
        }
        l4.writeBytes(payload);
        return l4.toByteArray();
    }

    private void fillL4Sum(final byte[] l4, final int pseudo)
    {
        final int field = checksumFieldOffset(protocol);
        if (field < 0 || l4Sum == Sum.ZERO)
        {
            return;
        }
        final int initial = protocol == ICMP ? 0 : pseudo;
        if (l4Sum == Sum.PSEUDO_ONLY)
        {
            setShort(l4, field, initial);
            return;
        }
        int value = checksum(l4, 0, l4.length, initial);
        if (protocol == UDP && value == 0)
        {
            value = 0xFFFF;
        }
        setShort(l4, field, value);
    }

    private int pseudo4(final int l4Length)
    {
        final byte[] p = new byte[12];
        System.arraycopy(src4, 0, p, 0, 4);
        System.arraycopy(dst4, 0, p, 4, 4);
        p[9] = (byte)protocol;
        setShort(p, 10, l4Length);
        return ~checksum(p, 0, 12, 0) & 0xFFFF;
    }

    private int pseudo6(final int l4Length)
    {
        final byte[] p = new byte[40];
        System.arraycopy(src6, 0, p, 0, 16);
        System.arraycopy(dst6, 0, p, 16, 16);
        setShort(p, 34, l4Length);
        p[39] = (byte)protocol;
        return ~checksum(p, 0, 40, 0) & 0xFFFF;
    }

    /** @return offset of the checksum field inside the L4 header, or -1. */
    public static int checksumFieldOffset(final int protocol)
    {
        switch (protocol)
        {
            case TCP:
                return 16;
            case UDP:
                return 6;
            case ICMP:
            case ICMPV6:
                return 2;
            default:
                return -1;
        }
    }

    /** RFC 1071 by the book: complement of the end-around-carry sum of big-endian words plus {@code initial}. */
    public static int checksum(final byte[] data, final int offset, final int length, final int initial)
    {
        long sum = initial;
        for (int i = 0; i < length; i += 2)
        {
            final int high = data[offset + i] & 0xFF;
            final int low = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    public static int getShort(final byte[] data, final int offset)
    {
        return ((data[offset] & 0xFF) << 8) | (data[offset + 1] & 0xFF);
    }

    public static int getInt(final byte[] data, final int offset)
    {
        return (getShort(data, offset) << 16) | getShort(data, offset + 2);
    }

    public static void setShort(final byte[] data, final int offset, final int value)
    {
        data[offset] = (byte)(value >>> 8);
        data[offset + 1] = (byte)value;
    }

    public static void setInt(final byte[] data, final int offset, final int value)
    {
        setShort(data, offset, value >>> 16);
        setShort(data, offset + 2, value);
    }

    private static void putShort(final ByteArrayOutputStream out, final int value)
    {
        out.write(value >>> 8);
        out.write(value);
    }

    private static void putInt(final ByteArrayOutputStream out, final int value)
    {
        putShort(out, value >>> 16);
        putShort(out, value);
    }

    public static byte[] hex(final String hex)
    {
        final String clean = hex.replace(" ", "");
        final byte[] bytes = new byte[clean.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(clean.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    public static final long MAC_A = 0x02_00_00_00_00_01L;
    public static final long MAC_B = 0x02_00_00_00_00_02L;
    public static final long BROADCAST = 0xFF_FF_FF_FF_FF_FFL;

    // ---- in place, over Agrona buffers: frames for the engine's data-path tests ----

    /** Writes an Ethernet header ({@code vlan < 0}: untagged); @return bytes written. */
    public static int ethernet(
        final MutableDirectBuffer buffer, final int offset, final long dst, final long src, final int vlan,
        final int etherType)
    {
        putMac(buffer, offset, dst);
        putMac(buffer, offset + 6, src);
        int at = offset + 12;
        if (vlan >= 0)
        {
            buffer.putShort(at, (short)0x8100, BIG_ENDIAN);
            buffer.putShort(at + 2, (short)vlan, BIG_ENDIAN);
            at += 4;
        }
        buffer.putShort(at, (short)etherType, BIG_ENDIAN);
        return at + 2 - offset;
    }

    /** A raw frame of {@code length} bytes (experimental ethertype 0x88B5) with a payload pattern; @return length. */
    public static int raw(
        final MutableDirectBuffer buffer, final int offset, final long dst, final long src, final int vlan,
        final int length)
    {
        final int header = ethernet(buffer, offset, dst, src, vlan, 0x88B5);
        for (int i = header; i < length; i++)
        {
            buffer.putByte(offset + i, (byte)i);
        }
        return length;
    }

    public static void putMac(final MutableDirectBuffer buffer, final int offset, final long mac)
    {
        for (int i = 0; i < 6; i++)
        {
            buffer.putByte(offset + i, (byte)(mac >>> (40 - 8 * i)));
        }
    }

    /** UDP/IPv4 192.0.2.1 -> 192.0.2.2, MAC_A -> MAC_B, untagged; @return frame length. */
    public static int udp4(
        final MutableDirectBuffer buffer, final int offset, final int srcPort, final int dstPort, final int payload,
        final boolean partial)
    {
        return ip4(buffer, offset, -1, 17, payload, partial, srcPort, dstPort);
    }

    /** TCP/IPv4 (20-byte header, ACK|PSH) of {@code payload} bytes; @return frame length. */
    public static int tcp4(
        final MutableDirectBuffer buffer, final int offset, final int vlan, final int payload, final boolean partial)
    {
        return ip4(buffer, offset, vlan, 6, payload, partial, 40000, 9);
    }

    private static int ip4(
        final MutableDirectBuffer buffer, final int offset, final int vlan, final int protocol, final int payload,
        final boolean partial, final int srcPort, final int dstPort)
    {
        final int l3 = offset + ethernet(buffer, offset, MAC_B, MAC_A, vlan, 0x0800);
        final int l4Header = protocol == 6 ? 20 : 8;
        final int total = 20 + l4Header + payload;
        buffer.putByte(l3, (byte)0x45);
        buffer.putByte(l3 + 1, (byte)0);
        buffer.putShort(l3 + 2, (short)total, BIG_ENDIAN);
        buffer.putShort(l3 + 4, (short)0x1234, BIG_ENDIAN);
        buffer.putShort(l3 + 6, (short)0x4000, BIG_ENDIAN);
        buffer.putByte(l3 + 8, (byte)64);
        buffer.putByte(l3 + 9, (byte)protocol);
        buffer.putShort(l3 + 10, (short)0);
        buffer.putInt(l3 + 12, 0xC0000201, BIG_ENDIAN);
        buffer.putInt(l3 + 16, 0xC0000202, BIG_ENDIAN);
        buffer.putShort(l3 + 10, (short)checksum(buffer, l3, 20, 0), BIG_ENDIAN);
        final int l4 = l3 + 20;
        buffer.putShort(l4, (short)srcPort, BIG_ENDIAN);
        buffer.putShort(l4 + 2, (short)dstPort, BIG_ENDIAN);
        if (protocol == 6)
        {
            buffer.putInt(l4 + 4, 1_000_000, BIG_ENDIAN);
            buffer.putInt(l4 + 8, 7, BIG_ENDIAN);
            buffer.putByte(l4 + 12, (byte)0x50);
            buffer.putByte(l4 + 13, (byte)0x18);
            buffer.putShort(l4 + 14, (short)65535, BIG_ENDIAN);
            buffer.putShort(l4 + 18, (short)0);
        }
        else
        {
            buffer.putShort(l4 + 4, (short)(8 + payload), BIG_ENDIAN);
        }
        for (int i = 0; i < payload; i++)
        {
            buffer.putByte(l4 + l4Header + i, (byte)(i * 7 + 3));
        }
        final int sumAt = l4 + (protocol == 6 ? 16 : 6);
        final long pseudo = 0xC000L + 0x0201 + 0xC000 + 0x0202 + protocol + l4Header + payload;
        buffer.putShort(sumAt, (short)0);
        if (partial)
        {
            buffer.putShort(sumAt, (short)(~checksum(buffer, 0, 0, pseudo) & 0xFFFF), BIG_ENDIAN);
        }
        else
        {
            final int sum = checksum(buffer, l4, l4Header + payload, pseudo);
            buffer.putShort(sumAt, (short)(sum == 0 && protocol == 17 ? 0xFFFF : sum), BIG_ENDIAN);
        }
        return l4 + l4Header + payload - offset;
    }

    /** @return whether an untagged or tagged IPv4 TCP/UDP frame's L4 checksum verifies. */
    public static boolean l4ChecksumOk(final DirectBuffer buffer, final int offset, final int length)
    {
        final PacketHeaders headers = new PacketHeaders();
        if (HeaderParser.parse(buffer, offset, length, headers) != ParseStatus.OK ||
            headers.l3() != L3Protocol.IPV4 || !headers.hasL4Header())
        {
            return false;
        }
        final int l3 = headers.l3Offset();
        final int l4Length = headers.l4Length();
        long pseudo = headers.l4Protocol() + l4Length;
        for (int i = 12; i < 20; i += 2)
        {
            pseudo += buffer.getShort(l3 + i, BIG_ENDIAN) & 0xFFFF;
        }
        return checksum(buffer, headers.l4Offset(), l4Length, pseudo) == 0;
    }

    /** RFC 1071 by the book over a buffer: complement of the end-around-carry sum of big-endian words plus {@code initial}. */
    public static int checksum(final DirectBuffer buffer, final int offset, final int length, final long initial)
    {
        long sum = initial;
        for (int i = 0; i < length; i += 2)
        {
            final int high = buffer.getByte(offset + i) & 0xFF;
            final int low = i + 1 < length ? buffer.getByte(offset + i + 1) & 0xFF : 0;
            sum += (high << 8) | low;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }
}

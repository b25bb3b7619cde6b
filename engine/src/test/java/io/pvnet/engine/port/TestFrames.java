package io.pvnet.engine.port;

import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/** Builds test frames in place: Ethernet with optional 802.1Q tag, IPv4/IPv6, UDP/TCP with full or partial sums. */
public final class TestFrames
{
    public static final long MAC_A = 0x02_00_00_00_00_01L;
    public static final long MAC_B = 0x02_00_00_00_00_02L;
    public static final long BROADCAST = 0xFF_FF_FF_FF_FF_FFL;

    private TestFrames()
    {
    }

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
        buffer.putShort(l3 + 10, (short)TestResponder.checksum(buffer, l3, 20, 0), BIG_ENDIAN);
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
            buffer.putShort(sumAt, (short)(~TestResponder.checksum(buffer, 0, 0, pseudo) & 0xFFFF), BIG_ENDIAN);
        }
        else
        {
            final int sum = TestResponder.checksum(buffer, l4, l4Header + payload, pseudo);
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
        return TestResponder.checksum(buffer, headers.l4Offset(), l4Length, pseudo) == 0;
    }
}

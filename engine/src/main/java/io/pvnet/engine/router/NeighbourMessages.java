package io.pvnet.engine.router;

import io.pvnet.engine.guest.GuestStack;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * The router's ARP (RFC 826) and NDP (RFC 4861) frames, written at offset 0 of a buffer, untagged Ethernet. Offsets:
 * <pre>
 *   ARP    14 htype | 16 ptype | 18 hlen | 19 plen | 20 op | 22 sha | 28 spa | 32 tha | 38 tpa          (42 bytes)
 *   IPv6   14 version.. | 18 payload length | 20 next header | 21 hop limit | 22 source | 38 destination
 *   NS/NA  54 type | 55 code | 56 checksum | 58 flags/reserved | 62 target | 78 option type | 79 len | 80 MAC (86)
 * </pre>
 * Static, stateless; nothing allocates.
 */
public final class NeighbourMessages
{
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int ARP_LENGTH = 42;
    public static final int NDP_LENGTH = 86;
    public static final int ICMPV6 = 58;
    public static final int NEIGHBOUR_SOLICITATION = 135;
    public static final int NEIGHBOUR_ADVERTISEMENT = 136;
    /** NDP option: source link-layer address. */
    public static final int SOURCE_LINK_LAYER = 1;
    /** NDP option: target link-layer address. */
    public static final int TARGET_LINK_LAYER = 2;
    /** NA flags: router, solicited, override (RFC 4861 4.4). */
    public static final int NA_ROUTER = 0x8000_0000;
    public static final int NA_SOLICITED = 0x4000_0000;
    public static final int NA_OVERRIDE = 0x2000_0000;

    private NeighbourMessages()
    {
    }

    /** Writes an ARP request (broadcast) for {@code targetIp}; @return its length. */
    public static int arpRequest(
        final MutableDirectBuffer frame, final long sourceMac, final int sourceIp, final int targetIp)
    {
        return arp(frame, 1, 0xFFFF_FFFF_FFFFL, sourceMac, sourceIp, 0, targetIp);
    }

    /** Writes an ARP reply saying {@code sourceIp} is at {@code sourceMac}; @return its length. */
    public static int arpReply(
        final MutableDirectBuffer frame, final long sourceMac, final int sourceIp, final long targetMac,
        final int targetIp)
    {
        return arp(frame, 2, targetMac, sourceMac, sourceIp, targetMac, targetIp);
    }

    private static int arp(
        final MutableDirectBuffer frame, final int operation, final long destinationMac, final long sourceMac,
        final int sourceIp, final long targetMac, final int targetIp)
    {
        putMac(frame, 0, destinationMac);
        putMac(frame, 6, sourceMac);
        frame.putShort(12, (short)ETHERTYPE_ARP, BIG_ENDIAN);
        frame.putShort(14, (short)1, BIG_ENDIAN);
        frame.putShort(16, (short)ETHERTYPE_IPV4, BIG_ENDIAN);
        frame.putByte(18, (byte)6);
        frame.putByte(19, (byte)4);
        frame.putShort(20, (short)operation, BIG_ENDIAN);
        putMac(frame, 22, sourceMac);
        frame.putInt(28, sourceIp, BIG_ENDIAN);
        putMac(frame, 32, targetMac);
        frame.putInt(38, targetIp, BIG_ENDIAN);
        return ARP_LENGTH;
    }

    /**
     * Writes a neighbour solicitation for {@code target} to its solicited-node group, with a source link-layer
     * option; @return its length.
     */
    public static int neighbourSolicitation(
        final MutableDirectBuffer frame, final long sourceMac, final long sourceHi, final long sourceLo,
        final long targetHi, final long targetLo)
    {
        putMac(frame, 0, 0x3333_FF00_0000L | (targetLo & 0xFF_FFFFL));
        // ff02::1:ffXX:XXXX
        ndp(frame, sourceMac, sourceHi, sourceLo, 0xFF02_0000_0000_0000L, 0x0000_0001_FF00_0000L | (targetLo & 0xFF_FFFFL),
            NEIGHBOUR_SOLICITATION, 0, targetHi, targetLo, SOURCE_LINK_LAYER);
        return NDP_LENGTH;
    }

    /** Writes a neighbour advertisement for {@code target} with a target link-layer option; @return its length. */
    public static int neighbourAdvertisement(
        final MutableDirectBuffer frame, final long sourceMac, final long destinationMac, final long sourceHi,
        final long sourceLo, final long destinationHi, final long destinationLo, final long targetHi,
        final long targetLo, final int flags)
    {
        putMac(frame, 0, destinationMac);
        ndp(frame, sourceMac, sourceHi, sourceLo, destinationHi, destinationLo, NEIGHBOUR_ADVERTISEMENT, flags,
            targetHi, targetLo, TARGET_LINK_LAYER);
        return NDP_LENGTH;
    }

    private static void ndp(
        final MutableDirectBuffer frame, final long sourceMac, final long sourceHi, final long sourceLo,
        final long destinationHi, final long destinationLo, final int type, final int flags, final long targetHi,
        final long targetLo, final int option)
    {
        putMac(frame, 6, sourceMac);
        frame.putShort(12, (short)ETHERTYPE_IPV6, BIG_ENDIAN);
        frame.putInt(14, 0x6000_0000, BIG_ENDIAN);
        frame.putShort(18, (short)32, BIG_ENDIAN);
        frame.putByte(20, (byte)ICMPV6);
        frame.putByte(21, (byte)255);
        frame.putLong(22, sourceHi, BIG_ENDIAN);
        frame.putLong(30, sourceLo, BIG_ENDIAN);
        frame.putLong(38, destinationHi, BIG_ENDIAN);
        frame.putLong(46, destinationLo, BIG_ENDIAN);
        frame.putByte(54, (byte)type);
        frame.putByte(55, (byte)0);
        frame.putShort(56, (short)0);
        frame.putInt(58, flags, BIG_ENDIAN);
        frame.putLong(62, targetHi, BIG_ENDIAN);
        frame.putLong(70, targetLo, BIG_ENDIAN);
        frame.putByte(78, (byte)option);
        frame.putByte(79, (byte)1);
        putMac(frame, 80, sourceMac);
        final long pseudo = GuestStack.sum(frame, 22, 32, 0) + 32 + ICMPV6;
        frame.putShort(56, (short)~GuestStack.fold(GuestStack.sum(frame, 54, 32, pseudo)), BIG_ENDIAN);
    }

    /**
     * Finds a link-layer address option in the NS/NA at {@code offset} (options from byte 78 to {@code end}).
     *
     * @return the MAC, or -1 when absent or malformed.
     */
    public static long linkLayerOption(final DirectBuffer frame, final int offset, final int end, final int type)
    {
        int at = offset + 78;
        while (at + 8 <= end)
        {
            final int optionLength = (frame.getByte(at + 1) & 0xFF) * 8;
            if (optionLength == 0)
            {
                return -1;
            }
            if ((frame.getByte(at) & 0xFF) == type && optionLength == 8)
            {
                return mac(frame, at + 2);
            }
            at += optionLength;
        }
        return -1;
    }

    /** @return the 48-bit MAC at {@code offset}. */
    public static long mac(final DirectBuffer buffer, final int offset)
    {
        return ((buffer.getShort(offset, BIG_ENDIAN) & 0xFFFFL) << 32) |
            (buffer.getInt(offset + 2, BIG_ENDIAN) & 0xFFFF_FFFFL);
    }

    public static void putMac(final MutableDirectBuffer buffer, final int offset, final long mac)
    {
        buffer.putShort(offset, (short)(mac >>> 32), BIG_ENDIAN);
        buffer.putInt(offset + 2, (int)mac, BIG_ENDIAN);
    }

    /** @return the low 64 bits of the EUI-64 link-local address {@code fe80::/64} of {@code mac} (RFC 4291 2.5.1). */
    public static long linkLocalLo(final long mac)
    {
        final long upper = (mac >>> 24) ^ 0x02_0000L;
        return (upper << 40) | (0xFFFEL << 24) | (mac & 0xFF_FFFFL);
    }

    /** The high 64 bits of every link-local address. */
    public static final long LINK_LOCAL_HI = 0xFE80_0000_0000_0000L;
}

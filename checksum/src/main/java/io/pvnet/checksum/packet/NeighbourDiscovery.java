package io.pvnet.checksum.packet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Neighbour solicitation and advertisement bodies (RFC 4861 sections 4.3, 4.4) after an {@link IcmpHeader}, in place
 * at the ICMPv6 header's {@code (buffer, offset)}, big-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |  type 135/136 |     code 0    |           checksum            |  0
 *  +-+-+-+---------+---------------+-------------------------------+
 *  |R|S|O|                     reserved                            |  4   (flags: advertisement only)
 *  +-+-+-+---------------------------------------------------------+
 *  |                    target address (128 bits)                  |  8
 *  +---------------------------------------------------------------+
 *  |  option type  | length (x8 B) |   link-layer address (48 bits) |  24
 *  +---------------+---------------+                               +
 *  |                                                               |  28
 *  +---------------------------------------------------------------+  32
 * </pre>
 * Static accessors, no state.
 */
public final class NeighbourDiscovery
{
    /** Offset of the flags field. */
    public static final int FLAGS_OFFSET = 4;
    /** Offset of the target field. */
    public static final int TARGET_OFFSET = 8;
    /** Offset of the options field. */
    public static final int OPTIONS_OFFSET = 24;
    /** Offset of the option type field. */
    public static final int OPTION_TYPE_OFFSET = 0;
    /** Offset of the option length field. */
    public static final int OPTION_LENGTH_OFFSET = 1;
    /** Offset of the option address field. */
    public static final int OPTION_ADDRESS_OFFSET = 2;
    /** Length of a link-layer address option for Ethernet (length field 1). */
    public static final int LINK_LAYER_OPTION_LENGTH = 8;
    /** Length of an NS or NA with one link-layer address option. */
    public static final int LENGTH = OPTIONS_OFFSET + LINK_LAYER_OPTION_LENGTH;

    /** Option: source link-layer address. */
    public static final int SOURCE_LINK_LAYER = 1;
    /** Option: target link-layer address. */
    public static final int TARGET_LINK_LAYER = 2;
    /** Advertisement flags: router, solicited, override (RFC 4861 4.4). */
    public static final int FLAG_ROUTER = 0x8000_0000;
    /** Flag solicited. */
    public static final int FLAG_SOLICITED = 0x4000_0000;
    /** Flag override. */
    public static final int FLAG_OVERRIDE = 0x2000_0000;
    /** NDP messages travel with hop limit 255 and are refused otherwise (RFC 4861 7.1). */
    public static final int HOP_LIMIT = 255;

    private NeighbourDiscovery()
    {
    }

    /**
     * Reads the flags.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the flags.
     */
    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + FLAGS_OFFSET, BIG_ENDIAN);
    }

    /**
     * Reads the target hi.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the target hi.
     */
    public static long targetHi(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TARGET_OFFSET, BIG_ENDIAN);
    }

    /**
     * Reads the target lo.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the target lo.
     */
    public static long targetLo(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TARGET_OFFSET + 8, BIG_ENDIAN);
    }

    /**
     * Writes an NS or NA body with one link-layer address option ({@link #LENGTH} bytes from the ICMPv6 header; the
     * checksum is left 0).
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param type the type.
     * @param flags the flags.
     * @param targetHi the target hi.
     * @param targetLo the target lo.
     * @param optionType the option type.
     * @param mac a 48-bit MAC in the low bits of a long.
     */
    public static void write(
        final MutableDirectBuffer buffer, final int offset, final int type, final int flags, final long targetHi,
        final long targetLo, final int optionType, final long mac)
    {
        IcmpHeader.write(buffer, offset, type, 0, flags);
        buffer.putLong(offset + TARGET_OFFSET, targetHi, BIG_ENDIAN);
        buffer.putLong(offset + TARGET_OFFSET + 8, targetLo, BIG_ENDIAN);
        buffer.putByte(offset + OPTIONS_OFFSET + OPTION_TYPE_OFFSET, (byte)optionType);
        buffer.putByte(offset + OPTIONS_OFFSET + OPTION_LENGTH_OFFSET, (byte)1);
        EthernetHeader.putMac(buffer, offset + OPTIONS_OFFSET + OPTION_ADDRESS_OFFSET, mac);
    }

    /**
     * Finds an Ethernet link-layer address option of {@code type} in the NS/NA at {@code offset}, whose message ends at
     * {@code end}.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param end one past the last byte that may be read.
     * @param type the type.
     * @return the MAC, or -1 when absent or malformed.
     */
    public static long linkLayerOption(final DirectBuffer buffer, final int offset, final int end, final int type)
    {
        int at = offset + OPTIONS_OFFSET;
        while (at + LINK_LAYER_OPTION_LENGTH <= end)
        {
            final int optionLength = (buffer.getByte(at + OPTION_LENGTH_OFFSET) & 0xFF) * 8;
            if (optionLength == 0)
            {
                return -1;
            }
            if ((buffer.getByte(at + OPTION_TYPE_OFFSET) & 0xFF) == type && optionLength == LINK_LAYER_OPTION_LENGTH)
            {
                return EthernetHeader.mac(buffer, at + OPTION_ADDRESS_OFFSET);
            }
            at += optionLength;
        }
        return -1;
    }
}

package io.pvnet.checksum.packet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Ethernet II header (IEEE 802.3) and the 802.1Q tag, big-endian, in place at {@code (buffer, offset)}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   destination MAC (48 bits)                   |  0
 *  +                               +-------------------------------+
 *  |                               |                               |  4
 *  +-------------------------------+                               +
 *  |                      source MAC (48 bits)                     |  8
 *  +-------------------------------+-------------------------------+
 *  |        EtherType / TPID       |   802.1Q TCI (if TPID 8100)   |  12
 *  +-------------------------------+-------------------------------+
 *  |   inner EtherType (tagged)    |                                  16
 *  +-------------------------------+
 * </pre>
 * A MAC travels as a {@code long} holding its 48 bits, first byte highest. Static accessors, no state, any thread.
 */
public final class EthernetHeader
{
    /** Offset of the destination field. */
    public static final int DESTINATION_OFFSET = 0;
    /** Offset of the source field. */
    public static final int SOURCE_OFFSET = 6;
    /** Offset of the ether type field. */
    public static final int ETHER_TYPE_OFFSET = 12;
    /** Length of an untagged header. */
    public static final int LENGTH = 14;
    /** Offset of the tag control information (PCP 3 bits, DEI 1, VLAN id 12) of a tagged frame. */
    public static final int VLAN_TCI_OFFSET = 14;
    /** Offset of the EtherType that follows one 802.1Q tag. */
    public static final int VLAN_ETHER_TYPE_OFFSET = 16;
    /** Length of one 802.1Q tag (TPID + TCI). */
    public static final int VLAN_TAG_LENGTH = 4;
    /** Length of a header with one tag. */
    public static final int VLAN_LENGTH = LENGTH + VLAN_TAG_LENGTH;
    /** Length in bytes of the mac. */
    public static final int MAC_LENGTH = 6;

    /** Ethertype IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** Ethertype ARP. */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** Ethertype IPv6. */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** Ethertype VLAN. */
    public static final int ETHERTYPE_VLAN = 0x8100;
    /** Ethertype qinq. */
    public static final int ETHERTYPE_QINQ = 0x88A8;
    /** Ethertype qinq old. */
    public static final int ETHERTYPE_QINQ_OLD = 0x9100;

    /** Broadcast. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** The group bit of a MAC held as a long. */
    public static final long GROUP_BIT = 0x0100_0000_0000L;
    /** VLAN id mask. */
    public static final int VLAN_ID_MASK = 0x0FFF;

    private EthernetHeader()
    {
    }

    /**
     * Reads the destination.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the destination.
     */
    public static long destination(final DirectBuffer buffer, final int offset)
    {
        return mac(buffer, offset + DESTINATION_OFFSET);
    }

    /**
     * Writes the destination.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param mac a 48-bit MAC in the low bits of a long.
     */
    public static void destination(final MutableDirectBuffer buffer, final int offset, final long mac)
    {
        putMac(buffer, offset + DESTINATION_OFFSET, mac);
    }

    /**
     * Reads the source.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the source.
     */
    public static long source(final DirectBuffer buffer, final int offset)
    {
        return mac(buffer, offset + SOURCE_OFFSET);
    }

    /**
     * Writes the source.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param mac a 48-bit MAC in the low bits of a long.
     */
    public static void source(final MutableDirectBuffer buffer, final int offset, final long mac)
    {
        putMac(buffer, offset + SOURCE_OFFSET, mac);
    }

    /**
     * The EtherType field (the TPID of a tagged frame).
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the EtherType field (the TPID of a tagged frame).
     */
    public static int etherType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ETHER_TYPE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the ether type.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param etherType the ether type.
     */
    public static void etherType(final MutableDirectBuffer buffer, final int offset, final int etherType)
    {
        buffer.putShort(offset + ETHER_TYPE_OFFSET, (short)etherType, BIG_ENDIAN);
    }

    /**
     * The TCI of a tagged frame.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the TCI of a tagged frame.
     */
    public static int vlanTci(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VLAN_TCI_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the vlan TCI.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param tci the TCI.
     */
    public static void vlanTci(final MutableDirectBuffer buffer, final int offset, final int tci)
    {
        buffer.putShort(offset + VLAN_TCI_OFFSET, (short)tci, BIG_ENDIAN);
    }

    /**
     * The EtherType after one tag.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the EtherType after one tag.
     */
    public static int vlanEtherType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VLAN_ETHER_TYPE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Writes the vlan ether type.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param etherType the ether type.
     */
    public static void vlanEtherType(final MutableDirectBuffer buffer, final int offset, final int etherType)
    {
        buffer.putShort(offset + VLAN_ETHER_TYPE_OFFSET, (short)etherType, BIG_ENDIAN);
    }

    /**
     * Whether {@code etherType} is a tag protocol id (802.1Q, 802.1ad or the pre-standard 0x9100).
     *
     * @param etherType the ether type.
     * @return whether {@code etherType} is a tag protocol id (802.1Q, 802.1ad or the pre-standard 0x9100).
     */
    public static boolean isVlanTpid(final int etherType)
    {
        return etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ || etherType == ETHERTYPE_QINQ_OLD;
    }

    /**
     * Whether {@code mac} is a group (multicast or broadcast) address.
     *
     * @param mac a 48-bit MAC in the low bits of a long.
     * @return whether {@code mac} is a group (multicast or broadcast) address.
     */
    public static boolean isGroup(final long mac)
    {
        return (mac & GROUP_BIT) != 0;
    }

    /**
     * The 48-bit MAC at {@code index}.
     *
     * @param buffer the frame or packet buffer.
     * @param index index of the first byte of the field.
     * @return the 48-bit MAC at {@code index}.
     */
    public static long mac(final DirectBuffer buffer, final int index)
    {
        return ((buffer.getShort(index, BIG_ENDIAN) & 0xFFFFL) << 32) | (buffer.getInt(index + 2, BIG_ENDIAN) & 0xFFFF_FFFFL);
    }

    /**
     * Writes the 48-bit {@code mac} at {@code index}.
     *
     * @param buffer the frame or packet buffer.
     * @param index index of the first byte of the field.
     * @param mac a 48-bit MAC in the low bits of a long.
     */
    public static void putMac(final MutableDirectBuffer buffer, final int index, final long mac)
    {
        buffer.putShort(index, (short)(mac >>> 32), BIG_ENDIAN);
        buffer.putInt(index + 2, (int)mac, BIG_ENDIAN);
    }
}

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
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
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
    public static final int MAC_LENGTH = 6;

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_QINQ = 0x88A8;
    public static final int ETHERTYPE_QINQ_OLD = 0x9100;

    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** The group bit of a MAC held as a long. */
    public static final long GROUP_BIT = 0x0100_0000_0000L;
    public static final int VLAN_ID_MASK = 0x0FFF;

    private EthernetHeader()
    {
    }

    public static long destination(final DirectBuffer buffer, final int offset)
    {
        return mac(buffer, offset + DESTINATION_OFFSET);
    }

    public static void destination(final MutableDirectBuffer buffer, final int offset, final long mac)
    {
        putMac(buffer, offset + DESTINATION_OFFSET, mac);
    }

    public static long source(final DirectBuffer buffer, final int offset)
    {
        return mac(buffer, offset + SOURCE_OFFSET);
    }

    public static void source(final MutableDirectBuffer buffer, final int offset, final long mac)
    {
        putMac(buffer, offset + SOURCE_OFFSET, mac);
    }

    /** @return the EtherType field (the TPID of a tagged frame). */
    public static int etherType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ETHER_TYPE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void etherType(final MutableDirectBuffer buffer, final int offset, final int etherType)
    {
        buffer.putShort(offset + ETHER_TYPE_OFFSET, (short)etherType, BIG_ENDIAN);
    }

    /** @return the TCI of a tagged frame. */
    public static int vlanTci(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VLAN_TCI_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void vlanTci(final MutableDirectBuffer buffer, final int offset, final int tci)
    {
        buffer.putShort(offset + VLAN_TCI_OFFSET, (short)tci, BIG_ENDIAN);
    }

    /** @return the EtherType after one tag. */
    public static int vlanEtherType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VLAN_ETHER_TYPE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    public static void vlanEtherType(final MutableDirectBuffer buffer, final int offset, final int etherType)
    {
        buffer.putShort(offset + VLAN_ETHER_TYPE_OFFSET, (short)etherType, BIG_ENDIAN);
    }

    /** @return whether {@code etherType} is a tag protocol id (802.1Q, 802.1ad or the pre-standard 0x9100). */
    public static boolean isVlanTpid(final int etherType)
    {
        return etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ || etherType == ETHERTYPE_QINQ_OLD;
    }

    /** @return whether {@code mac} is a group (multicast or broadcast) address. */
    public static boolean isGroup(final long mac)
    {
        return (mac & GROUP_BIT) != 0;
    }

    /** @return the 48-bit MAC at {@code index}. */
    public static long mac(final DirectBuffer buffer, final int index)
    {
        return ((buffer.getShort(index, BIG_ENDIAN) & 0xFFFFL) << 32) | (buffer.getInt(index + 2, BIG_ENDIAN) & 0xFFFF_FFFFL);
    }

    /** Writes the 48-bit {@code mac} at {@code index}. */
    public static void putMac(final MutableDirectBuffer buffer, final int index, final long mac)
    {
        buffer.putShort(index, (short)(mac >>> 32), BIG_ENDIAN);
        buffer.putInt(index + 2, (int)mac, BIG_ENDIAN);
    }
}

package io.pvnet.checksum.packet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * ARP packet (RFC 826) for Ethernet and IPv4, big-endian, in place at {@code (buffer, offset)} after the Ethernet
 * header.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |     hardware type (1)         |    protocol type (0x0800)     |  0
 *  +---------------+---------------+-------------------------------+
 *  | hw length (6) | proto len (4) |          operation            |  4
 *  +---------------+---------------+-------------------------------+
 *  |                  sender hardware address                      |  8
 *  +                               +-------------------------------+
 *  |                               |   sender protocol address     |  12
 *  +-------------------------------+-------------------------------+
 *  |   sender protocol address     |                               |  16
 *  +-------------------------------+                               +
 *  |                  target hardware address                      |  20
 *  +-------------------------------+-------------------------------+
 *  |                  target protocol address                      |  24
 *  +---------------------------------------------------------------+
 * </pre>
 * Static accessors, no state, any thread.
 */
public final class ArpHeader
{
    /** Offset of the hardware type field. */
    public static final int HARDWARE_TYPE_OFFSET = 0;
    /** Offset of the protocol type field. */
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    /** Offset of the hardware length field. */
    public static final int HARDWARE_LENGTH_OFFSET = 4;
    /** Offset of the protocol length field. */
    public static final int PROTOCOL_LENGTH_OFFSET = 5;
    /** Offset of the operation field. */
    public static final int OPERATION_OFFSET = 6;
    /** Offset of the sender mac field. */
    public static final int SENDER_MAC_OFFSET = 8;
    /** Offset of the sender ip field. */
    public static final int SENDER_IP_OFFSET = 14;
    /** Offset of the target mac field. */
    public static final int TARGET_MAC_OFFSET = 18;
    /** Offset of the target ip field. */
    public static final int TARGET_IP_OFFSET = 24;
    /** Length of the fixed part (hardware type to operation). */
    public static final int FIXED_LENGTH = 8;
    /** Length of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;

    /** Hardware ethernet. */
    public static final int HARDWARE_ETHERNET = 1;
    /** Operation request. */
    public static final int OPERATION_REQUEST = 1;
    /** Operation reply. */
    public static final int OPERATION_REPLY = 2;

    private ArpHeader()
    {
    }

    /**
     * Reads the hardware type.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the hardware type.
     */
    public static int hardwareType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + HARDWARE_TYPE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Reads the protocol type.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the protocol type.
     */
    public static int protocolType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + PROTOCOL_TYPE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Reads the hardware length.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the hardware length.
     */
    public static int hardwareLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + HARDWARE_LENGTH_OFFSET) & 0xFF;
    }

    /**
     * Reads the protocol length.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the protocol length.
     */
    public static int protocolLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + PROTOCOL_LENGTH_OFFSET) & 0xFF;
    }

    /**
     * Reads the operation.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the operation.
     */
    public static int operation(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + OPERATION_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Reads the sender mac.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the sender mac.
     */
    public static long senderMac(final DirectBuffer buffer, final int offset)
    {
        return EthernetHeader.mac(buffer, offset + SENDER_MAC_OFFSET);
    }

    /**
     * Reads the sender ip.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the sender ip.
     */
    public static int senderIp(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SENDER_IP_OFFSET, BIG_ENDIAN);
    }

    /**
     * Reads the target mac.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the target mac.
     */
    public static long targetMac(final DirectBuffer buffer, final int offset)
    {
        return EthernetHeader.mac(buffer, offset + TARGET_MAC_OFFSET);
    }

    /**
     * Reads the target ip.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return the target ip.
     */
    public static int targetIp(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + TARGET_IP_OFFSET, BIG_ENDIAN);
    }

    /**
     * Whether the packet is Ethernet/IPv4 (hardware type 1, protocol 0x0800, lengths 6 and 4).
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @return whether the packet is Ethernet/IPv4 (hardware type 1, protocol 0x0800, lengths 6 and 4).
     */
    public static boolean isEthernetIpv4(final DirectBuffer buffer, final int offset)
    {
        return hardwareType(buffer, offset) == HARDWARE_ETHERNET &&
            protocolType(buffer, offset) == EthernetHeader.ETHERTYPE_IPV4 &&
            hardwareLength(buffer, offset) == EthernetHeader.MAC_LENGTH && protocolLength(buffer, offset) == 4;
    }

    /**
     * Writes a whole Ethernet/IPv4 ARP packet.
     *
     * @param buffer the frame or packet buffer.
     * @param offset index of the first byte of the header.
     * @param operation the operation.
     * @param senderMac the sender mac.
     * @param senderIp the sender ip.
     * @param targetMac the target mac.
     * @param targetIp the target ip.
     */
    public static void write(
        final MutableDirectBuffer buffer, final int offset, final int operation, final long senderMac,
        final int senderIp, final long targetMac, final int targetIp)
    {
        buffer.putShort(offset + HARDWARE_TYPE_OFFSET, (short)HARDWARE_ETHERNET, BIG_ENDIAN);
        buffer.putShort(offset + PROTOCOL_TYPE_OFFSET, (short)EthernetHeader.ETHERTYPE_IPV4, BIG_ENDIAN);
        buffer.putByte(offset + HARDWARE_LENGTH_OFFSET, (byte)EthernetHeader.MAC_LENGTH);
        buffer.putByte(offset + PROTOCOL_LENGTH_OFFSET, (byte)4);
        buffer.putShort(offset + OPERATION_OFFSET, (short)operation, BIG_ENDIAN);
        EthernetHeader.putMac(buffer, offset + SENDER_MAC_OFFSET, senderMac);
        buffer.putInt(offset + SENDER_IP_OFFSET, senderIp, BIG_ENDIAN);
        EthernetHeader.putMac(buffer, offset + TARGET_MAC_OFFSET, targetMac);
        buffer.putInt(offset + TARGET_IP_OFFSET, targetIp, BIG_ENDIAN);
    }
}

package io.pvnet.engine.port.vxlan;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The VXLAN header (RFC 7348 section 5) in front of the inner Ethernet frame in a UDP datagram to port
 * {@link #IANA_PORT}. Big-endian.
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |R|R|R|R|I|R|R|R|            Reserved                           |  0
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                VXLAN Network Identifier (VNI) |   Reserved    |  4
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The I flag must be set; the reserved fields are sent as zero and ignored on receipt (RFC 7348).
 */
public final class VxlanHeaderDescriptor
{
    /** IANA-assigned VXLAN UDP port. */
    public static final int IANA_PORT = 4789;
    /** Offset of the flags word (the I flag in its first byte, the rest reserved). */
    public static final int FLAGS_OFFSET = 0;
    /** Offset of the 24-bit VNI, in the top three bytes of the second word. */
    public static final int VNI_OFFSET = 4;
    /** Header bytes. */
    public static final int LENGTH = 8;
    /** The "VNI valid" flag. */
    public static final int FLAG_I = 0x08;
    /** Largest VNI (24 bits). */
    public static final int MAX_VNI = 0xFF_FFFF;
    /**
     * Outer overhead on an IPv4 underlay: IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 (the Linux vxlan device's
     * MTU is its lower device's minus 50).
     */
    public static final int IPV4_OVERHEAD = 50;

    private VxlanHeaderDescriptor()
    {
    }

    /**
     * Writes a header with the I flag and {@code vni}, reserved fields zero.
     *
     * @param buffer where the header is written.
     * @param offset where it starts in {@code buffer}; {@link #LENGTH} bytes are written.
     * @param vni    the VNI, {@code 0..}{@link #MAX_VNI}.
     */
    public static void write(final MutableDirectBuffer buffer, final int offset, final int vni)
    {
        buffer.putInt(offset + FLAGS_OFFSET, FLAG_I << 24, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + VNI_OFFSET, vni << 8, ByteOrder.BIG_ENDIAN);
    }

    /**
     * {@return whether the I flag is set}
     *
     * @param buffer the datagram.
     * @param offset where the VXLAN header starts in {@code buffer}.
     */
    public static boolean hasVni(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset + FLAGS_OFFSET) & FLAG_I) != 0;
    }

    /**
     * {@return the VNI (24 bits; the reserved byte after it ignored)}
     *
     * @param buffer the datagram.
     * @param offset where the VXLAN header starts in {@code buffer}.
     */
    public static int vni(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + VNI_OFFSET, ByteOrder.BIG_ENDIAN) >>> 8;
    }
}

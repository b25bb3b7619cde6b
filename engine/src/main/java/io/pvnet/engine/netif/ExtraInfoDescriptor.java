package io.pvnet.engine.netif;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of a {@code netif_extra_info} (Xen {@code netif.h}), little-endian, accessed in place at {@code (buffer, offset)}.
 * It occupies a tx or rx slot right after a slot flagged {@code extra_info}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |   type (u8)   |  flags (u8)   |  GSO: size (u16, the MSS)     |  0
 *  +---------------+---------------+-------------------------------+
 *  | GSO: type u8  |  GSO: pad u8  |  GSO: features (u16)          |  4
 *  +---------------+---------------+-------------------------------+
 *
 *  MCAST_ADD / MCAST_DEL:   bytes 2..7 = addr[6]
 *  HASH:                    byte 2 = hash type, byte 3 = algorithm, bytes 4..7 = value, least significant byte first
 * </pre>
 * {@code flags} holds {@link NetifConstants#XEN_NETIF_EXTRA_FLAG_MORE}.
 */
public final class ExtraInfoDescriptor
{
    /** Offset of the extra type ({@code XEN_NETIF_EXTRA_TYPE_*}). */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the extra flags. */
    public static final int FLAGS_OFFSET = 1;
    /** Offset of the GSO size (MSS). */
    public static final int GSO_SIZE_OFFSET = 2;
    /** Offset of the GSO type ({@code XEN_NETIF_GSO_TYPE_*}). */
    public static final int GSO_TYPE_OFFSET = 4;
    /** Offset of the GSO padding. */
    public static final int GSO_PAD_OFFSET = 5;
    /** Offset of the GSO features. */
    public static final int GSO_FEATURES_OFFSET = 6;
    /** Offset of the multicast address. */
    public static final int MCAST_ADDR_OFFSET = 2;
    /** Length of the multicast address. */
    public static final int MCAST_ADDR_LENGTH = 6;
    /** Offset of the hash type. */
    public static final int HASH_TYPE_OFFSET = 2;
    /** Offset of the hash algorithm. */
    public static final int HASH_ALGORITHM_OFFSET = 3;
    /** Offset of the hash value. */
    public static final int HASH_VALUE_OFFSET = 4;
    /** Length of the layout. */
    public static final int LENGTH = 8;

    private ExtraInfoDescriptor()
    {
    }

    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    public static int gsoSize(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + GSO_SIZE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public static int gsoType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + GSO_TYPE_OFFSET) & 0xFF;
    }

    public static int gsoFeatures(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + GSO_FEATURES_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public static int hashType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + HASH_TYPE_OFFSET) & 0xFF;
    }

    public static int hashAlgorithm(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + HASH_ALGORITHM_OFFSET) & 0xFF;
    }

    /** @return the 32-bit hash value, stored least significant byte first. */
    public static long hashValue(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + HASH_VALUE_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }

    /** @return the multicast address as 48 bits, first byte on the wire most significant. */
    public static long mcastAddress(final DirectBuffer buffer, final int offset)
    {
        long mac = 0;
        for (int i = 0; i < MCAST_ADDR_LENGTH; i++)
        {
            mac = (mac << 8) | (buffer.getByte(offset + MCAST_ADDR_OFFSET + i) & 0xFF);
        }
        return mac;
    }

    /** Writes a whole GSO extra in one 8-byte store. */
    public static void writeGso(
        final MutableDirectBuffer buffer, final int offset, final int flags, final int gsoSize, final int gsoType,
        final int features)
    {
        final long value = NetifConstants.XEN_NETIF_EXTRA_TYPE_GSO | ((flags & 0xFFL) << 8) | ((gsoSize & 0xFFFFL) << 16) |
            ((gsoType & 0xFFL) << 32) | ((features & 0xFFFFL) << 48);
        buffer.putLong(offset, value, LITTLE_ENDIAN);
    }

    /** Writes a whole multicast add/delete extra. */
    public static void writeMcast(
        final MutableDirectBuffer buffer, final int offset, final int type, final int flags, final long mac)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        for (int i = 0; i < MCAST_ADDR_LENGTH; i++)
        {
            buffer.putByte(offset + MCAST_ADDR_OFFSET + i, (byte)(mac >>> (8 * (MCAST_ADDR_LENGTH - 1 - i))));
        }
    }

    /** Writes a whole hash extra. */
    public static void writeHash(
        final MutableDirectBuffer buffer, final int offset, final int flags, final int hashType, final int algorithm,
        final long value)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)NetifConstants.XEN_NETIF_EXTRA_TYPE_HASH);
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        buffer.putByte(offset + HASH_TYPE_OFFSET, (byte)hashType);
        buffer.putByte(offset + HASH_ALGORITHM_OFFSET, (byte)algorithm);
        buffer.putInt(offset + HASH_VALUE_OFFSET, (int)value, LITTLE_ENDIAN);
    }
}

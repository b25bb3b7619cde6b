package io.pvnet.engine.netif;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of a {@code netif_rx_response} (Xen {@code netif.h}), little-endian, accessed in place at {@code (buffer, offset)}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |           id (u16)            |         offset (u16)          |  0
 *  +-------------------------------+-------------------------------+
 *  |          flags (u16)          |         status (s16)          |  4
 *  +-------------------------------+-------------------------------+
 * </pre>
 * {@code status >= 0} is the number of bytes in this slot, {@code < 0} a {@code NETIF_RSP_*} error. Flags are {@code NETRXF_*}.
 * A response must sit in the slot of its request (Linux netfront ignores {@code id}).
 */
public final class RxResponseDescriptor
{
    /** Offset of the id, copied from the request. */
    public static final int ID_OFFSET = 0;
    /** Offset of the data offset within the page. */
    public static final int OFFSET_OFFSET = 2;
    /** Offset of the NETRXF flags. */
    public static final int FLAGS_OFFSET = 4;
    /** Offset of the status. */
    public static final int STATUS_OFFSET = 6;
    /** Length of the layout. */
    public static final int LENGTH = 8;

    private RxResponseDescriptor()
    {
    }

    /** Writes a whole response slot in one 8-byte store. */
    public static void write(
        final MutableDirectBuffer buffer, final int offset, final int id, final int dataOffset, final int flags, final int status)
    {
        final long value = (id & 0xFFFFL) | ((dataOffset & 0xFFFFL) << 16) | ((flags & 0xFFFFL) << 32) | ((status & 0xFFFFL) << 48);
        buffer.putLong(offset, value, LITTLE_ENDIAN);
    }

    public static int id(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public static int offset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + OFFSET_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + FLAGS_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public static int status(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + STATUS_OFFSET, LITTLE_ENDIAN);
    }
}

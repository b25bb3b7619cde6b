package io.pvnet.engine.netif;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of a {@code netif_tx_request} (Xen {@code netif.h}), little-endian, in place at {@code (buffer, offset)}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          gref (u32)                           |  0
 *  +-------------------------------+-------------------------------+
 *  |         offset (u16)          |          flags (u16)          |  4
 *  +-------------------------------+-------------------------------+
 *  |           id (u16)            |          size (u16)           |  8
 *  +-------------------------------+-------------------------------+
 * </pre>
 * {@code size} of the first slot of a packet is the packet's total length; of each continuation slot, its own fragment.
 * Flags are {@code NETTXF_*} of {@link NetifConstants}. Static accessors, no state.
 */
public final class TxRequestDescriptor
{
    /** Offset of the grant reference. */
    public static final int GREF_OFFSET = 0;
    /** Offset of the data offset within the granted page. */
    public static final int OFFSET_OFFSET = 4;
    /** Offset of the NETTXF flags. */
    public static final int FLAGS_OFFSET = 6;
    /** Offset of the request id, echoed in the response. */
    public static final int ID_OFFSET = 8;
    /** Offset of the size. */
    public static final int SIZE_OFFSET = 10;
    /** Length of the layout. */
    public static final int LENGTH = 12;

    private TxRequestDescriptor()
    {
    }

    /** @throws IllegalArgumentException if {@code (buffer, offset)} cannot hold a request. */
    public static void checkRecord(final DirectBuffer buffer, final int offset)
    {
        if (offset < 0 || offset + LENGTH > buffer.capacity())
        {
            throw new IllegalArgumentException("tx request out of buffer: offset=" + offset + " capacity=" + buffer.capacity());
        }
    }

    /** Writes a whole request in one go. */
    public static void write(
        final MutableDirectBuffer buffer, final int offset,
        final long gref, final int dataOffset, final int flags, final int id, final int size)
    {
        buffer.putInt(offset + GREF_OFFSET, (int)gref, LITTLE_ENDIAN);
        buffer.putShort(offset + OFFSET_OFFSET, (short)dataOffset, LITTLE_ENDIAN);
        buffer.putShort(offset + FLAGS_OFFSET, (short)flags, LITTLE_ENDIAN);
        buffer.putShort(offset + ID_OFFSET, (short)id, LITTLE_ENDIAN);
        buffer.putShort(offset + SIZE_OFFSET, (short)size, LITTLE_ENDIAN);
    }

    /** @return the grant reference of the request at {@code (buffer, offset)}. */
    public static long gref(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + GREF_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }

    /** @return the data offset of the request at {@code (buffer, offset)}. */
    public static int offset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + OFFSET_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /** @return the flags of the request at {@code (buffer, offset)}. */
    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + FLAGS_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /** @return the id of the request at {@code (buffer, offset)}. */
    public static int id(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /** @return the size of the request at {@code (buffer, offset)}. */
    public static int size(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SIZE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }
}

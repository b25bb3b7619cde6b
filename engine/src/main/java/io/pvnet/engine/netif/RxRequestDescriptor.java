package io.pvnet.engine.netif;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of a {@code netif_rx_request} (Xen {@code netif.h}), little-endian, accessed in place at {@code (buffer, offset)}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |           id (u16)            |          pad (u16)            |  0
 *  +-------------------------------+-------------------------------+
 *  |                          gref (u32)                           |  4
 *  +---------------------------------------------------------------+
 * </pre>
 * The frontend posts one per empty page it grants writable to the backend.
 */
public final class RxRequestDescriptor
{
    /** Offset of the id. */
    public static final int ID_OFFSET = 0;
    /** Offset of the padding. */
    public static final int PAD_OFFSET = 2;
    /** Offset of the grant reference of the empty page. */
    public static final int GREF_OFFSET = 4;
    /** Length of the layout. */
    public static final int LENGTH = 8;

    private RxRequestDescriptor()
    {
    }

    /** Writes a whole request (padding zeroed). */
    public static void write(final MutableDirectBuffer buffer, final int offset, final int id, final long gref)
    {
        buffer.putInt(offset, id & 0xFFFF, LITTLE_ENDIAN);
        buffer.putInt(offset + GREF_OFFSET, (int)gref, LITTLE_ENDIAN);
    }

    public static int id(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public static long gref(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + GREF_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }
}

package io.pvnet.engine.netif;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of a {@code netif_tx_response} (Xen {@code netif.h}), little-endian, accessed in place at {@code (buffer, offset)}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |           id (u16)            |         status (s16)          |  0
 *  +-------------------------------+-------------------------------+
 *  |      (rest of the 12-byte tx slot: written as zero)           |  4..11
 *  +---------------------------------------------------------------+
 * </pre>
 * A response overwrites its request in the same slot. {@link #write} writes the whole 12-byte slot so that no stale
 * request bytes stay visible to the frontend (XSA-216). Status is one of {@code NETIF_RSP_*}.
 */
public final class TxResponseDescriptor
{
    /** Offset of the id, copied from the request. */
    public static final int ID_OFFSET = 0;
    /** Offset of the status. */
    public static final int STATUS_OFFSET = 2;
    /** Length of the layout (the slot is {@link NetifConstants#TX_SLOT_LENGTH}). */
    public static final int LENGTH = 4;

    private TxResponseDescriptor()
    {
    }

    /** Writes a whole tx slot: id, status and zeroed padding. */
    public static void write(final MutableDirectBuffer buffer, final int offset, final int id, final int status)
    {
        buffer.putInt(offset, (id & 0xFFFF) | (status << 16), LITTLE_ENDIAN);
        buffer.putLong(offset + LENGTH, 0L);
    }

    public static int id(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public static int status(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + STATUS_OFFSET, LITTLE_ENDIAN);
    }
}

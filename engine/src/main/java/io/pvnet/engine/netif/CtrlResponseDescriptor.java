package io.pvnet.engine.netif;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of a {@code xen_netif_ctrl_response} (Xen {@code netif.h}), little-endian, 12 bytes, written in place over
 * the request it answers (a 16-byte slot of {@link CtrlRingDescriptor}; bytes 12..15 of the slot are left as the
 * request had them).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |        id (u16, echoed)       |       type (u16, echoed)      |  0
 *  +-------------------------------+-------------------------------+
 *  |                       status (u32, STATUS_*)                  |  4
 *  +---------------------------------------------------------------+
 *  |                      data (u32, per type)                     |  8
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class CtrlResponseDescriptor
{
    public static final int ID_OFFSET = 0;
    public static final int TYPE_OFFSET = 2;
    public static final int STATUS_OFFSET = 4;
    public static final int DATA_OFFSET = 8;
    public static final int LENGTH = 12;

    /** {@code XEN_NETIF_CTRL_STATUS_SUCCESS}. */
    public static final int STATUS_SUCCESS = 0;
    /** The type is unknown or not implemented, or (GET_HASH_FLAGS) hashing is off. */
    public static final int STATUS_NOT_SUPPORTED = 1;
    /** A parameter is out of range, a grant copy failed, or a queue number is too large. */
    public static final int STATUS_INVALID_PARAMETER = 2;
    /** Defined by netif.h; Linux netback never answers it (a too-long key is INVALID_PARAMETER there). */
    public static final int STATUS_BUFFER_OVERFLOW = 3;
    /** Statuses there are. */
    public static final int STATUS_COUNT = 4;

    private CtrlResponseDescriptor()
    {
    }

    /** Writes a whole response in place. */
    public static void write(
        final MutableDirectBuffer buffer, final int offset, final int id, final int type, final int status,
        final int data)
    {
        buffer.putShort(offset + ID_OFFSET, (short)id, LITTLE_ENDIAN);
        buffer.putShort(offset + TYPE_OFFSET, (short)type, LITTLE_ENDIAN);
        buffer.putInt(offset + STATUS_OFFSET, status, LITTLE_ENDIAN);
        buffer.putInt(offset + DATA_OFFSET, data, LITTLE_ENDIAN);
    }

    public static int id(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TYPE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public static int status(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + STATUS_OFFSET, LITTLE_ENDIAN);
    }

    public static int data(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + DATA_OFFSET, LITTLE_ENDIAN);
    }
}

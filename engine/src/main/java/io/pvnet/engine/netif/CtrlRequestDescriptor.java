package io.pvnet.engine.netif;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Layout of a {@code xen_netif_ctrl_request} (Xen {@code netif.h}, control ring section), little-endian, 16 bytes,
 * accessed in place at {@code (buffer, offset)}: a slot of the control ring ({@link CtrlRingDescriptor}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |            id (u16)           |           type (u16)          |  0
 *  +-------------------------------+-------------------------------+
 *  |                          data[0] (u32)                        |  4
 *  +---------------------------------------------------------------+
 *  |                          data[1] (u32)                        |  8
 *  +---------------------------------------------------------------+
 *  |                          data[2] (u32)                        |  12
 *  +---------------------------------------------------------------+
 * </pre>
 * What {@code data} means depends on the type ({@code TYPE_*}); Linux netback implements types 1 to 7.
 */
public final class CtrlRequestDescriptor
{
    public static final int ID_OFFSET = 0;
    public static final int TYPE_OFFSET = 2;
    public static final int DATA0_OFFSET = 4;
    public static final int DATA1_OFFSET = 8;
    public static final int DATA2_OFFSET = 12;
    public static final int LENGTH = 16;

    /** {@code XEN_NETIF_CTRL_TYPE_INVALID}: never valid. */
    public static final int TYPE_INVALID = 0;
    /** Response data: the hash types the backend supports (mask); NOT_SUPPORTED while the algorithm is NONE. */
    public static final int TYPE_GET_HASH_FLAGS = 1;
    /** data[0]: the hash types to use (mask). */
    public static final int TYPE_SET_HASH_FLAGS = 2;
    /** data[0]: grant reference of the key, data[1]: its length (<= 40). */
    public static final int TYPE_SET_HASH_KEY = 3;
    /** Response data: the largest mapping table (128). */
    public static final int TYPE_GET_HASH_MAPPING_SIZE = 4;
    /** data[0]: the mapping table's size (0 = hash modulo queues). */
    public static final int TYPE_SET_HASH_MAPPING_SIZE = 5;
    /** data[0]: grant reference of u32 queue numbers, data[1]: how many, data[2]: first table index they go to. */
    public static final int TYPE_SET_HASH_MAPPING = 6;
    /** data[0]: the algorithm, NONE 0 or TOEPLITZ 1. */
    public static final int TYPE_SET_HASH_ALGORITHM = 7;
    /** Xen's static-grant types 8 to 10 (GET_GREF_MAPPING_SIZE, ADD/DEL_GREF_MAPPING): not implemented by Linux. */
    public static final int TYPE_GET_GREF_MAPPING_SIZE = 8;
    public static final int TYPE_ADD_GREF_MAPPING = 9;
    public static final int TYPE_DEL_GREF_MAPPING = 10;

    private CtrlRequestDescriptor()
    {
    }

    public static int id(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TYPE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /** @return {@code data[index]} as an unsigned 32-bit value. */
    public static long data(final DirectBuffer buffer, final int offset, final int index)
    {
        return buffer.getInt(offset + DATA0_OFFSET + 4 * index, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }

    /** Writes a whole request (the frontend's side). */
    public static void write(
        final MutableDirectBuffer buffer, final int offset, final int id, final int type, final int data0,
        final int data1, final int data2)
    {
        buffer.putShort(offset + ID_OFFSET, (short)id, LITTLE_ENDIAN);
        buffer.putShort(offset + TYPE_OFFSET, (short)type, LITTLE_ENDIAN);
        buffer.putInt(offset + DATA0_OFFSET, data0, LITTLE_ENDIAN);
        buffer.putInt(offset + DATA1_OFFSET, data1, LITTLE_ENDIAN);
        buffer.putInt(offset + DATA2_OFFSET, data2, LITTLE_ENDIAN);
    }
}

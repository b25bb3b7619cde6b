package io.pvnet.engine.xnb;

import io.pvnet.checksum.hash.FlowHash;
import io.pvnet.checksum.hash.ToeplitzHash;
import io.pvnet.checksum.parse.PacketHeaders;
import org.agrona.DirectBuffer;

import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_INVALID_PARAMETER;
import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_SUCCESS;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_CTRL_HASH_ALGORITHM_NONE;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ;

/**
 * A vif's receive-side hashing state (Linux netback's {@code struct xenvif_hash}, hash.c), set by the frontend over
 * the control ring ({@link XnbControl}) and used on the rx path: the algorithm, the enabled hash types, the Toeplitz
 * key and the mapping table from hash to queue.
 * <p>
 * Each setter validates as Linux does and returns a control-ring status; a refused request changes nothing. The
 * mapping table is double-buffered like Linux's after XSA-270: a new mapping is written into the shadow copy, its
 * queue numbers checked there, and only then made active.
 * <p>
 * Initial state (as Linux): algorithm NONE, no types, all-zero key, table size 0.
 * <p>
 * Threading: the vif's agent thread (control requests and rx frames are served there); not thread-safe.
 */
public final class VifHash
{
    /** Longest key: {@code XEN_NETBK_MAX_HASH_KEY_SIZE}. */
    public static final int MAX_KEY_BYTES = ToeplitzHash.MAX_KEY_BYTES;
    /** Largest mapping table: {@code XEN_NETBK_MAX_HASH_MAPPING_SIZE}. */
    public static final int MAX_MAPPING_SIZE = 128;
    /** Most mapping entries one SET_HASH_MAPPING may carry: one page of u32 ({@code XEN_PAGE_SIZE / 4}). */
    public static final int MAX_MAPPING_ENTRIES_PER_REQUEST = 4096 / 4;

    private final ToeplitzHash toeplitz = new ToeplitzHash();
    private final FlowHash flowHash = new FlowHash(toeplitz);
    private final int[][] mapping = new int[2][MAX_MAPPING_SIZE];
    private int active;
    private int mappingSize;
    private int algorithm = XEN_NETIF_CTRL_HASH_ALGORITHM_NONE;
    private int flags;
    private int queues = 1;

    /** Back to the initial state, as Linux's {@code xenvif_init_hash} at every connect of a control ring. */
    public void reset()
    {
        toeplitz.key(new org.agrona.concurrent.UnsafeBuffer(new byte[0]), 0, 0);
        java.util.Arrays.fill(mapping[0], 0);
        java.util.Arrays.fill(mapping[1], 0);
        active = 0;
        mappingSize = 0;
        algorithm = XEN_NETIF_CTRL_HASH_ALGORITHM_NONE;
        flags = 0;
    }

    /** The number of queues the frontend connected (mapping entries must be below it). */
    public void queues(final int queues)
    {
        this.queues = Math.max(1, queues);
    }

    public int queues()
    {
        return queues;
    }

    public int algorithm()
    {
        return algorithm;
    }

    /** @return the enabled hash types ({@link FlowHash#IPV4} | ...). */
    public int flags()
    {
        return flags;
    }

    public int mappingSize()
    {
        return mappingSize;
    }

    /** @return mapping entry {@code index} of the active table (for ifconfig and tests). */
    public int mapping(final int index)
    {
        return mapping[active][index];
    }

    /** @return a copy of the 40-byte key. */
    public byte[] key()
    {
        return toeplitz.key();
    }

    /** SET_HASH_ALGORITHM: NONE or TOEPLITZ; flags, key and table are kept. */
    public int setAlgorithm(final long value)
    {
        if (value != XEN_NETIF_CTRL_HASH_ALGORITHM_NONE && value != XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ)
        {
            return STATUS_INVALID_PARAMETER;
        }
        algorithm = (int)value;
        return STATUS_SUCCESS;
    }

    /**
     * GET_HASH_FLAGS: the types this backend can hash.
     *
     * @return {@link FlowHash#ALL}, or -1 (the status NOT_SUPPORTED) while the algorithm is NONE.
     */
    public long supportedFlags()
    {
        return algorithm == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE ? -1 : FlowHash.ALL;
    }

    /** SET_HASH_FLAGS: unknown bits, or any flags while the algorithm is NONE, are refused. 0 turns hashing off. */
    public int setFlags(final long value)
    {
        if ((value & ~(long)FlowHash.ALL) != 0)
        {
            return STATUS_INVALID_PARAMETER;
        }
        if (algorithm == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE)
        {
            return STATUS_INVALID_PARAMETER;
        }
        flags = (int)value;
        return STATUS_SUCCESS;
    }

    /** SET_HASH_KEY with the key bytes already copied in: the rest of the 40 bytes become zero. */
    public int setKey(final DirectBuffer key, final int offset, final int length)
    {
        if (length < 0 || length > MAX_KEY_BYTES)
        {
            return STATUS_INVALID_PARAMETER;
        }
        toeplitz.key(key, offset, length);
        return STATUS_SUCCESS;
    }

    /** SET_HASH_MAPPING_SIZE: at most 128; the active table's first {@code size} entries become 0. */
    public int setMappingSize(final long size)
    {
        if (size < 0 || size > MAX_MAPPING_SIZE)
        {
            return STATUS_INVALID_PARAMETER;
        }
        mappingSize = (int)size;
        java.util.Arrays.fill(mapping[active], 0, mappingSize, 0);
        return STATUS_SUCCESS;
    }

    /**
     * XSA-270's bound check for SET_HASH_MAPPING, in 64-bit arithmetic so that nothing wraps: {@code offset + length}
     * past the table size, or more entries than a page holds, is refused.
     */
    public boolean mappingFits(final long offset, final long length)
    {
        return offset >= 0 && length >= 0 && offset + length <= mappingSize &&
            length <= MAX_MAPPING_ENTRIES_PER_REQUEST;
    }

    /**
     * SET_HASH_MAPPING with the entries already copied in ({@code length} little-endian u32 at {@code entries}):
     * written into the shadow table, checked there against the connected queue count, and made active only if every
     * one is valid.
     */
    public int setMapping(final DirectBuffer entries, final int entriesOffset, final long offset, final long length)
    {
        if (!mappingFits(offset, length))
        {
            return STATUS_INVALID_PARAMETER;
        }
        final int shadow = active ^ 1;
        final int[] table = mapping[shadow];
        System.arraycopy(mapping[active], 0, table, 0, mappingSize);
        final int first = (int)offset;
        final int count = (int)length;
        for (int i = 0; i < count; i++)
        {
            table[first + i] = entries.getInt(entriesOffset + 4 * i, java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        for (int i = 0; i < count; i++)
        {
            if (Integer.compareUnsigned(table[first + i], queues) >= 0)
            {
                return STATUS_INVALID_PARAMETER;
            }
        }
        active = shadow;
        return STATUS_SUCCESS;
    }

    /** @return whether rx frames get a hash (and a HASH extra): an algorithm and at least one type are set. */
    public boolean isHashing()
    {
        return algorithm != XEN_NETIF_CTRL_HASH_ALGORITHM_NONE && flags != 0;
    }

    /**
     * The frame's hash as {@link FlowHash} packs it, or {@link FlowHash#NONE} when hashing is off or the frame is
     * not of an enabled type. Allocation-free.
     */
    public long hash(final DirectBuffer frame, final PacketHeaders headers)
    {
        if (algorithm == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE)
        {
            return FlowHash.NONE;
        }
        return flowHash.hash(frame, headers, flags);
    }

    /**
     * The rx queue a frame goes to ({@code xenvif_select_queue}): with a table, {@code mapping[hash % size]}; without
     * one, {@code hash % queues} (a frame without a hash counts as hash 0).
     */
    public int queueFor(final long packedHash)
    {
        final long value = packedHash == FlowHash.NONE ? 0 : FlowHash.value(packedHash) & 0xFFFF_FFFFL;
        if (mappingSize == 0)
        {
            return (int)(value % queues);
        }
        return mapping[active][(int)(value % mappingSize)];
    }
}

package io.pvnet.engine.xnb;

/**
 * A batch of grant copy operations, as the backend hands to {@code GNTTABOP_copy}: each op copies {@code length} bytes
 * between a page granted by the peer ({@code domid}, {@code gref}, {@code grefOffset}) and a backend-local buffer at
 * {@code localOffset}, in the direction given by {@link #isGrefSource}. Each op gets its own status ({@code GNTST_*}).
 * Structure of arrays, reused; single-threaded.
 */
public final class GrantCopyBatch
{
    /** GNTCOPY_source_gref: the grant is the source (tx: guest to backend). */
    public static final int SOURCE_GREF = 1;
    /** GNTCOPY_dest_gref: the grant is the destination (rx: backend to guest). */
    public static final int DEST_GREF = 2;

    private final int[] flags;
    private final int[] domid;
    private final int[] gref;
    private final int[] grefOffset;
    private final int[] localOffset;
    private final int[] length;
    private final int[] status;
    private int count;

    public GrantCopyBatch(final int capacity)
    {
        flags = new int[capacity];
        domid = new int[capacity];
        gref = new int[capacity];
        grefOffset = new int[capacity];
        localOffset = new int[capacity];
        length = new int[capacity];
        status = new int[capacity];
    }

    public void clear()
    {
        count = 0;
    }

    public int count()
    {
        return count;
    }

    public int capacity()
    {
        return flags.length;
    }

    public int remaining()
    {
        return flags.length - count;
    }

    /** Adds an op; the caller has checked {@link #remaining()}. @return its index. */
    public int add(
        final int opFlags, final int peerDomid, final long grantRef, final int offsetInGrant, final int offsetInLocal,
        final int bytes)
    {
        final int i = count++;
        flags[i] = opFlags;
        domid[i] = peerDomid;
        gref[i] = (int)grantRef;
        grefOffset[i] = offsetInGrant;
        localOffset[i] = offsetInLocal;
        length[i] = bytes;
        status[i] = 0;
        return i;
    }

    public boolean isGrefSource(final int op)
    {
        return (flags[op] & SOURCE_GREF) != 0;
    }

    public int flags(final int op)
    {
        return flags[op];
    }

    public int domid(final int op)
    {
        return domid[op];
    }

    public long gref(final int op)
    {
        return gref[op] & 0xFFFF_FFFFL;
    }

    public int grefOffset(final int op)
    {
        return grefOffset[op];
    }

    public int localOffset(final int op)
    {
        return localOffset[op];
    }

    public int length(final int op)
    {
        return length[op];
    }

    public int status(final int op)
    {
        return status[op];
    }

    public void status(final int op, final int value)
    {
        status[op] = value;
    }
}

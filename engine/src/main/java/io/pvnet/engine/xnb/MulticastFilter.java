package io.pvnet.engine.xnb;

/**
 * A vif's multicast groups (Linux netback's {@code fe_mcast_addr} list, interface.c): what the frontend added with
 * MCAST_ADD extras and not yet removed with MCAST_DEL. As Linux: at most {@link #MAX_ADDRESSES} entries, duplicates
 * kept (each DEL removes one), an ADD beyond the cap refused. Unlike Linux, which then drops the groups it could not
 * add, a refused ADD makes the filter accept every group until the frontend turns filtering off
 * ({@link #resetOverflow}) or reconnects ({@link #clear}): a guest never loses traffic it asked for.
 * <p>
 * MAC addresses are 48-bit values, the first byte on the wire most significant.
 * <p>
 * Threading: the vif's agent thread (tx applies the extras, rx filters). Allocation-free.
 */
public final class MulticastFilter
{
    /** {@code XEN_NETBK_MCAST_MAX}. */
    public static final int MAX_ADDRESSES = 64;
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private final long[] addresses = new long[MAX_ADDRESSES];
    private int count;
    private boolean overflowed;

    /** @return false (nothing added; from now on every group is accepted) when the list is full. */
    public boolean add(final long mac)
    {
        if (count == MAX_ADDRESSES)
        {
            overflowed = true;
            return false;
        }
        addresses[count++] = mac;
        return true;
    }

    /** Removes the first entry equal to {@code mac}, if any. */
    public void remove(final long mac)
    {
        for (int i = 0; i < count; i++)
        {
            if (addresses[i] == mac)
            {
                System.arraycopy(addresses, i + 1, addresses, i, count - i - 1);
                count--;
                return;
            }
        }
    }

    /** @return whether a multicast frame to {@code mac} passes. */
    public boolean accepts(final long mac)
    {
        if (overflowed)
        {
            return true;
        }
        for (int i = 0; i < count; i++)
        {
            if (addresses[i] == mac)
            {
                return true;
            }
        }
        return false;
    }

    /** Filters by the list again after an overflow (the list itself is kept: Linux lets it be edited any time). */
    public void resetOverflow()
    {
        overflowed = false;
    }

    /** Forgets every group and the overflow. */
    public void clear()
    {
        count = 0;
        overflowed = false;
    }

    public int count()
    {
        return count;
    }

    public long address(final int index)
    {
        return addresses[index];
    }

    /** @return whether an ADD was refused since the last {@link #clear}: every group passes. */
    public boolean isOverflowed()
    {
        return overflowed;
    }

    /** @return whether {@code mac} is a link-layer multicast address other than broadcast. */
    public static boolean isMulticast(final long mac)
    {
        return (mac & 0x0100_0000_0000L) != 0 && mac != BROADCAST;
    }
}

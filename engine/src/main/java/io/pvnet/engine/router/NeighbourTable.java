package io.pvnet.engine.router;

import org.agrona.collections.Hashing;

/**
 * The router's neighbour cache (ARP for IPv4, NDP for IPv6), one per router: (port, address) to MAC, in preallocated
 * open-addressing arrays (linear probing, never rehashed, never deleted from: a host count is small and entries are
 * reused when they expire). IPv4 addresses are stored as {@code hi = IPV4_HI}, {@code lo = address} so both families
 * share the table. An entry is <em>incomplete</em> ({@link #mac} = {@link #NO_MAC}) while its resolution is pending
 * and after it expired; frames waiting for it are chained in {@link PendingFrames} from {@link #pendingHead}.
 * <p>
 * Threading: the router thread only.
 */
public final class NeighbourTable
{
    /** {@link #find} result for no entry; {@link #findOrAdd} result when full. */
    public static final int NONE = -1;
    /** MAC of an incomplete entry. */
    public static final long NO_MAC = -1L;
    /** The {@code hi} word of an IPv4 neighbour (multicast in IPv6, so never a real IPv6 neighbour). */
    public static final long IPV4_HI = 0xFFFF_FFFF_FFFF_FFFFL;

    private final int mask;
    private final int maxEntries;
    private final int[] ports;
    private final long[] his;
    private final long[] los;
    private final long[] macs;
    private final long[] confirmedNs;
    private final long[] requestedNs;
    private final int[] requests;
    private final int[] pendingHead;
    private final int[] pendingTail;
    private final int[] pendingCount;
    private int size;

    /**
     * An empty table of twice {@code maxEntries} slots (rounded up to a power of two), allocated here.
     *
     * @param maxEntries most neighbours, {@code 1..2^20}.
     * @throws IllegalArgumentException if {@code maxEntries} is out of range.
     */
    public NeighbourTable(final int maxEntries)
    {
        if (maxEntries < 1 || maxEntries > 1 << 20)
        {
            throw new IllegalArgumentException("maxEntries=" + maxEntries + " must be in 1.." + (1 << 20));
        }
        this.maxEntries = maxEntries;
        final int capacity = Integer.highestOneBit(maxEntries * 2 - 1) << 1;
        mask = capacity - 1;
        ports = new int[capacity];
        java.util.Arrays.fill(ports, NONE);
        his = new long[capacity];
        los = new long[capacity];
        macs = new long[capacity];
        confirmedNs = new long[capacity];
        requestedNs = new long[capacity];
        requests = new int[capacity];
        pendingHead = new int[capacity];
        pendingTail = new int[capacity];
        pendingCount = new int[capacity];
    }

    /**
     * {@return the entry of {@code (port, hi, lo)}, or {@link #NONE}}
     *
     * @param port the index of the port the neighbour is behind.
     * @param hi   the address's bytes 0..7, or {@link #IPV4_HI} for an IPv4 neighbour.
     * @param lo   the address's bytes 8..15, or the IPv4 address.
     */
    public int find(final int port, final long hi, final long lo)
    {
        int slot = hash(port, hi, lo);
        while (ports[slot] != NONE)
        {
            if (ports[slot] == port && his[slot] == hi && los[slot] == lo)
            {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return NONE;
    }

    /**
     * {@return the entry of {@code (port, hi, lo)}, a new incomplete one, or {@link #NONE} when the table is full}
     *
     * @param port the index of the port the neighbour is behind.
     * @param hi   the address's bytes 0..7, or {@link #IPV4_HI} for an IPv4 neighbour.
     * @param lo   the address's bytes 8..15, or the IPv4 address.
     */
    public int findOrAdd(final int port, final long hi, final long lo)
    {
        int slot = hash(port, hi, lo);
        while (ports[slot] != NONE)
        {
            if (ports[slot] == port && his[slot] == hi && los[slot] == lo)
            {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        if (size == maxEntries)
        {
            return NONE;
        }
        size++;
        ports[slot] = port;
        his[slot] = hi;
        los[slot] = lo;
        macs[slot] = NO_MAC;
        requests[slot] = 0;
        pendingHead[slot] = PendingFrames.END;
        pendingTail[slot] = PendingFrames.END;
        pendingCount[slot] = 0;
        return slot;
    }

    private int hash(final int port, final long hi, final long lo)
    {
        return Hashing.hash(hi * 31 + lo * 17 + port, mask);
    }

    /**
     * Records that {@code entry} answered (or spoke) with {@code mac} at {@code nowNs}: complete, requests reset.
     *
     * @param entry an entry from {@link #findOrAdd}.
     * @param mac   the neighbour's MAC (48 bits).
     * @param nowNs the router clock, ns.
     */
    public void confirm(final int entry, final long mac, final long nowNs)
    {
        macs[entry] = mac;
        confirmedNs[entry] = nowNs;
        requests[entry] = 0;
    }

    /**
     * Makes {@code entry} incomplete (expired or unreachable).
     *
     * @param entry an entry in use.
     */
    public void invalidate(final int entry)
    {
        macs[entry] = NO_MAC;
        requests[entry] = 0;
    }

    /**
     * Records a request (ARP request or neighbour solicitation) sent for {@code entry}.
     *
     * @param entry an entry in use.
     * @param nowNs the router clock, ns.
     */
    public void requested(final int entry, final long nowNs)
    {
        requestedNs[entry] = nowNs;
        requests[entry]++;
    }

    /** {@return the entries' slot count (iterate {@code 0..slots()-1}, skipping {@link #isUsed} false)} */
    public int slots()
    {
        return ports.length;
    }

    /**
     * {@return whether slot {@code entry} holds a neighbour}
     *
     * @param entry a slot, {@code 0..slots()-1}.
     */
    public boolean isUsed(final int entry)
    {
        return ports[entry] != NONE;
    }

    /** {@return neighbours in the table (entries are reused, never removed)} */
    public int size()
    {
        return size;
    }

    /**
     * {@return the index of the port the neighbour is behind}
     *
     * @param entry a slot, {@code 0..slots()-1}.
     */
    public int port(final int entry)
    {
        return ports[entry];
    }

    /**
     * {@return the neighbour's address bytes 0..7, {@link #IPV4_HI} for IPv4}
     *
     * @param entry a slot, {@code 0..slots()-1}.
     */
    public long hi(final int entry)
    {
        return his[entry];
    }

    /**
     * {@return the neighbour's address bytes 8..15, or its IPv4 address}
     *
     * @param entry a slot, {@code 0..slots()-1}.
     */
    public long lo(final int entry)
    {
        return los[entry];
    }

    /**
     * {@return whether the neighbour is an IPv4 one (ARP)}
     *
     * @param entry a slot, {@code 0..slots()-1}.
     */
    public boolean isIpv4(final int entry)
    {
        return his[entry] == IPV4_HI;
    }

    /**
     * {@return the neighbour's MAC, or {@link #NO_MAC} while incomplete}
     *
     * @param entry a slot, {@code 0..slots()-1}.
     */
    public long mac(final int entry)
    {
        return macs[entry];
    }

    /**
     * {@return when the neighbour was last confirmed, router clock ns}
     *
     * @param entry a slot, {@code 0..slots()-1}.
     */
    public long confirmedNs(final int entry)
    {
        return confirmedNs[entry];
    }

    /**
     * {@return when the last request for the neighbour was sent, router clock ns}
     *
     * @param entry a slot, {@code 0..slots()-1}.
     */
    public long requestedNs(final int entry)
    {
        return requestedNs[entry];
    }

    /**
     * {@return requests sent since the entry was last confirmed}
     *
     * @param entry an entry in use.
     */
    public int requests(final int entry)
    {
        return requests[entry];
    }

    int pendingHead(final int entry)
    {
        return pendingHead[entry];
    }

    int pendingCount(final int entry)
    {
        return pendingCount[entry];
    }

    void pendingAppend(final int entry, final int slot, final PendingFrames pending)
    {
        if (pendingTail[entry] == PendingFrames.END)
        {
            pendingHead[entry] = slot;
        }
        else
        {
            pending.link(pendingTail[entry], slot);
        }
        pendingTail[entry] = slot;
        pendingCount[entry]++;
    }

    void pendingClear(final int entry)
    {
        pendingHead[entry] = PendingFrames.END;
        pendingTail[entry] = PendingFrames.END;
        pendingCount[entry] = 0;
    }
}

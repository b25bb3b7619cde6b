package io.pvnet.engine.bridge;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongLongPredicate;

/**
 * The bridge's forwarding database: (VLAN, MAC) to (port, last seen), in an open-addressing {@link Long2LongHashMap}
 * sized once so it never resizes (no allocation, no boxing). Entries not refreshed for {@code agingNs} are ignored by
 * {@link #lookup} and removed by {@link #age}. When the table holds {@code maxEntries}, new stations are not learned
 * (their frames are flooded) until entries age out.
 * <p>
 * A burst of frames mostly repeats one source and one destination: the last key learned and the last key looked up
 * are kept beside the map with the value the map holds for them (MISSING included), so a repeat costs a comparison
 * instead of a hash probe (an exact-match cache, as Open vSwitch keeps before its classifier). Every put updates them,
 * every removal clears them.
 * <pre>
 *   key   (64 bits): | 4 zero | VLAN id (12) | MAC address (48) |
 *   value (64 bits): | last seen, ms of the bridge clock (48) | port index (16) |
 * </pre>
 * Threading: the bridge thread only.
 */
public final class MacTable
{
    /** {@link #lookup} result for no entry (unknown or aged). */
    public static final int UNKNOWN = -1;

    private static final long MISSING = -1L;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;
    /** No key has its top bits set: marks an empty cache slot. */
    private static final long NO_KEY = -1L;

    private final Long2LongHashMap map;
    private final int maxEntries;
    private final long agingMs;
    private final AgedPredicate aged = new AgedPredicate();
    private long learned;
    private long moved;
    private long agedOut;
    private long full;
    /** The map's value for the last key learned and the last key looked up (see the class comment). */
    private long learnedKey = NO_KEY;
    private long learnedValue;
    private long lookedUpKey = NO_KEY;
    private long lookedUpValue;

    /**
     * An empty table; its map is allocated here at full size.
     *
     * @param maxEntries most stations remembered, {@code 1..2^24}.
     * @param agingNs    how long an entry lives without being refreshed, {@code >= 1 ms}.
     * @throws IllegalArgumentException if either is out of range.
     */
    public MacTable(final int maxEntries, final long agingNs)
    {
        if (maxEntries < 1 || maxEntries > (1 << 24))
        {
            throw new IllegalArgumentException("maxEntries=" + maxEntries + " must be in 1.." + (1 << 24));
        }
        if (agingNs < 1_000_000L)
        {
            throw new IllegalArgumentException("agingNs=" + agingNs + " must be >= 1 ms");
        }
        this.maxEntries = maxEntries;
        this.agingMs = agingNs / 1_000_000L;
        // load factor 0.5 and a capacity of 2 * maxEntries: the threshold is never crossed, so no rehash allocates
        map = new Long2LongHashMap(maxEntries * 2, 0.5f, MISSING);
    }

    /**
     * {@return the table key of a station}
     *
     * @param vlan the VLAN id, {@code 0..4095}.
     * @param mac  the station's MAC (48 bits).
     */
    public static long key(final int vlan, final long mac)
    {
        return ((long)vlan << 48) | (mac & MAC_MASK);
    }

    /**
     * Learns (or refreshes) that {@code mac} in {@code vlan} is behind {@code port}. A new station is not learned
     * while the table is full (counted by {@link #fullCount()}); its frames are flooded.
     *
     * @param vlan  the frame's VLAN id.
     * @param mac   the frame's source MAC.
     * @param port  the index of the port the frame came in on.
     * @param nowMs the bridge clock in ms.
     */
    public void learn(final int vlan, final long mac, final int port, final long nowMs)
    {
        final long key = key(vlan, mac);
        final long value = (nowMs << 16) | port;
        final long previous = key == learnedKey ? learnedValue : map.get(key);
        learnedKey = key;
        learnedValue = previous;
        if (previous == value)
        {
            return;
        }
        if (previous == MISSING)
        {
            if (map.size() >= maxEntries)
            {
                full++;
                return;
            }
            learned++;
        }
        else if ((int)(previous & 0xFFFF) != port)
        {
            moved++;
        }
        map.put(key, value);
        learnedValue = value;
        if (key == lookedUpKey)
        {
            lookedUpValue = value;
        }
    }

    /**
     * {@return the port {@code mac} in {@code vlan} was last seen behind, or {@link #UNKNOWN} (none or aged)}
     *
     * @param vlan  the frame's VLAN id.
     * @param mac   the frame's destination MAC.
     * @param nowMs the bridge clock in ms.
     */
    public int lookup(final int vlan, final long mac, final long nowMs)
    {
        final long key = key(vlan, mac);
        if (key != lookedUpKey)
        {
            lookedUpKey = key;
            lookedUpValue = map.get(key);
        }
        final long value = lookedUpValue;
        if (value == MISSING || nowMs - (value >>> 16) >= agingMs)
        {
            return UNKNOWN;
        }
        return (int)(value & 0xFFFF);
    }

    /**
     * Removes entries not refreshed for the aging time (the bridge calls it every half aging time).
     *
     * @param nowMs the bridge clock in ms.
     * @return how many entries were removed.
     */
    public int age(final long nowMs)
    {
        aged.nowMs = nowMs;
        aged.removed = 0;
        map.entrySet().removeIfLong(aged);
        forgetCachedKeys();
        agedOut += aged.removed;
        return aged.removed;
    }

    /**
     * Forgets every station behind {@code port} (the port was detached or went down).
     *
     * @param port the port's index.
     */
    public void flushPort(final int port)
    {
        aged.nowMs = Long.MIN_VALUE;
        aged.port = port;
        map.entrySet().removeIfLong(aged);
        aged.port = -1;
        forgetCachedKeys();
    }

    private void forgetCachedKeys()
    {
        learnedKey = NO_KEY;
        lookedUpKey = NO_KEY;
    }

    /** {@return the stations remembered now, aged ones not yet removed included} */
    public int size()
    {
        return map.size();
    }

    /** {@return stations learned for the first time} */
    public long learnedCount()
    {
        return learned;
    }

    /** {@return stations seen behind a different port than before} */
    public long movedCount()
    {
        return moved;
    }

    /** {@return entries removed by aging} */
    public long agedCount()
    {
        return agedOut;
    }

    /** {@return new stations not learned because the table was full} */
    public long fullCount()
    {
        return full;
    }

    private final class AgedPredicate implements LongLongPredicate
    {
        long nowMs;
        int port = -1;
        int removed;

        @Override
        public boolean test(final long key, final long value)
        {
            final boolean remove = port >= 0 ? (int)(value & 0xFFFF) == port : nowMs - (value >>> 16) >= agingMs;
            if (remove && port < 0)
            {
                removed++;
            }
            return remove;
        }
    }
}

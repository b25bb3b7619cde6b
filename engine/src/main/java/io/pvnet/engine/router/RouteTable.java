package io.pvnet.engine.router;

/**
 * The router's static routes, IPv4 and IPv6: longest-prefix match over preallocated arrays kept sorted longest prefix
 * first, so a lookup is a scan that stops at the first match (tables are small and static: connected routes, one per
 * port and family, plus the {@code --route}s). A route leads to a port and either a gateway ({@code via}) or, for a
 * connected route, the destination itself as next hop. Adding a prefix that is already there replaces it.
 * <p>
 * IPv4 addresses are ints (first octet in the top byte); IPv6 addresses are two longs ({@code hi} = bytes 0..7,
 * {@code lo} = bytes 8..15, big-endian). Threading: {@code add*} at configuration time, lookups on the router thread;
 * nothing allocates after construction.
 */
public final class RouteTable
{
    /** Lookup result when nothing matches. */
    public static final int NO_ROUTE = -1;

    private final int[] network4;
    private final int[] prefix4;
    private final int[] port4;
    private final int[] via4;
    private int count4;

    private final long[] networkHi6;
    private final long[] networkLo6;
    private final int[] prefix6;
    private final int[] port6;
    private final long[] viaHi6;
    private final long[] viaLo6;
    private final boolean[] hasVia6;
    private int count6;

    /**
     * An empty table; every array is allocated here.
     *
     * @param capacity most routes per family, {@code 1..2^20}.
     * @throws IllegalArgumentException if {@code capacity} is out of range.
     */
    public RouteTable(final int capacity)
    {
        if (capacity < 1 || capacity > 1 << 20)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " must be in 1.." + (1 << 20));
        }
        network4 = new int[capacity];
        prefix4 = new int[capacity];
        port4 = new int[capacity];
        via4 = new int[capacity];
        networkHi6 = new long[capacity];
        networkLo6 = new long[capacity];
        prefix6 = new int[capacity];
        port6 = new int[capacity];
        viaHi6 = new long[capacity];
        viaLo6 = new long[capacity];
        hasVia6 = new boolean[capacity];
    }

    /**
     * {@return the IPv4 netmask of a prefix length {@code 0..32}}
     *
     * @param prefix the prefix length.
     */
    public static int mask4(final int prefix)
    {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /**
     * {@return the high 64 bits of the IPv6 netmask of a prefix length {@code 0..128}}
     *
     * @param prefix the prefix length.
     */
    public static long maskHi6(final int prefix)
    {
        return prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
    }

    /**
     * {@return the low 64 bits of the IPv6 netmask of a prefix length {@code 0..128}}
     *
     * @param prefix the prefix length.
     */
    public static long maskLo6(final int prefix)
    {
        return prefix <= 64 ? 0 : -1L << (128 - prefix);
    }

    /**
     * Adds (or replaces) an IPv4 route. Configuration time.
     *
     * @param network the destination network (bits beyond the prefix are ignored).
     * @param prefix  the prefix length, {@code 0..32}.
     * @param port    the index of the port the route leads out of.
     * @param via     the gateway, or 0 for a connected route (the destination is the next hop).
     * @throws IllegalArgumentException if {@code prefix} is out of range.
     * @throws IllegalStateException    if the IPv4 table is full.
     */
    public void add4(final int network, final int prefix, final int port, final int via)
    {
        checkPrefix(prefix, 32);
        final int masked = network & mask4(prefix);
        for (int i = 0; i < count4; i++)
        {
            if (prefix4[i] == prefix && network4[i] == masked)
            {
                port4[i] = port;
                via4[i] = via;
                return;
            }
        }
        if (count4 == network4.length)
        {
            throw new IllegalStateException("routes=" + count4 + " IPv4 route table full");
        }
        int at = count4;
        while (at > 0 && prefix4[at - 1] < prefix)
        {
            network4[at] = network4[at - 1];
            prefix4[at] = prefix4[at - 1];
            port4[at] = port4[at - 1];
            via4[at] = via4[at - 1];
            at--;
        }
        network4[at] = masked;
        prefix4[at] = prefix;
        port4[at] = port;
        via4[at] = via;
        count4++;
    }

    /**
     * Adds (or replaces) an IPv6 route. Configuration time.
     *
     * @param networkHi the destination network's bytes 0..7 (bits beyond the prefix are ignored).
     * @param networkLo the destination network's bytes 8..15.
     * @param prefix    the prefix length, {@code 0..128}.
     * @param port      the index of the port the route leads out of.
     * @param hasVia    false for a connected route (the destination is the next hop).
     * @param viaHi     the gateway's bytes 0..7, when {@code hasVia}.
     * @param viaLo     the gateway's bytes 8..15, when {@code hasVia}.
     * @throws IllegalArgumentException if {@code prefix} is out of range.
     * @throws IllegalStateException    if the IPv6 table is full.
     */
    public void add6(
        final long networkHi, final long networkLo, final int prefix, final int port, final boolean hasVia,
        final long viaHi, final long viaLo)
    {
        checkPrefix(prefix, 128);
        final long hi = networkHi & maskHi6(prefix);
        final long lo = networkLo & maskLo6(prefix);
        for (int i = 0; i < count6; i++)
        {
            if (prefix6[i] == prefix && networkHi6[i] == hi && networkLo6[i] == lo)
            {
                set6(i, hi, lo, prefix, port, hasVia, viaHi, viaLo);
                return;
            }
        }
        if (count6 == networkHi6.length)
        {
            throw new IllegalStateException("routes=" + count6 + " IPv6 route table full");
        }
        int at = count6;
        while (at > 0 && prefix6[at - 1] < prefix)
        {
            set6(at, networkHi6[at - 1], networkLo6[at - 1], prefix6[at - 1], port6[at - 1], hasVia6[at - 1],
                viaHi6[at - 1], viaLo6[at - 1]);
            at--;
        }
        set6(at, hi, lo, prefix, port, hasVia, viaHi, viaLo);
        count6++;
    }

    private void set6(
        final int i, final long hi, final long lo, final int prefix, final int port, final boolean hasVia,
        final long viaHi, final long viaLo)
    {
        networkHi6[i] = hi;
        networkLo6[i] = lo;
        prefix6[i] = prefix;
        port6[i] = port;
        hasVia6[i] = hasVia;
        viaHi6[i] = hasVia ? viaHi : 0;
        viaLo6[i] = hasVia ? viaLo : 0;
    }

    private static void checkPrefix(final int prefix, final int max)
    {
        if (prefix < 0 || prefix > max)
        {
            throw new IllegalArgumentException("prefix=" + prefix + " must be in 0.." + max);
        }
    }

    /**
     * {@return the index of the longest IPv4 route matching {@code address}, or {@link #NO_ROUTE}}
     *
     * @param address the destination address.
     */
    public int lookup4(final int address)
    {
        for (int i = 0; i < count4; i++)
        {
            if ((address & mask4(prefix4[i])) == network4[i])
            {
                return i;
            }
        }
        return NO_ROUTE;
    }

    /**
     * {@return the index of the longest IPv6 route matching {@code (hi, lo)}, or {@link #NO_ROUTE}}
     *
     * @param hi the destination's bytes 0..7.
     * @param lo the destination's bytes 8..15.
     */
    public int lookup6(final long hi, final long lo)
    {
        for (int i = 0; i < count6; i++)
        {
            final int prefix = prefix6[i];
            if ((hi & maskHi6(prefix)) == networkHi6[i] && (lo & maskLo6(prefix)) == networkLo6[i])
            {
                return i;
            }
        }
        return NO_ROUTE;
    }

    /**
     * {@return the port IPv4 route {@code route} leads out of}
     *
     * @param route a route index from {@link #lookup4}.
     */
    public int port4(final int route)
    {
        return port4[route];
    }

    /**
     * {@return the prefix length of IPv4 route {@code route}}
     *
     * @param route a route index from {@link #lookup4}.
     */
    public int prefix4(final int route)
    {
        return prefix4[route];
    }

    /**
     * {@return the next hop towards {@code destination} over IPv4 route {@code route}: its gateway, or the destination}
     *
     * @param route       a route index from {@link #lookup4}.
     * @param destination the packet's destination address.
     */
    public int nextHop4(final int route, final int destination)
    {
        return via4[route] != 0 ? via4[route] : destination;
    }

    /**
     * {@return the port IPv6 route {@code route} leads out of}
     *
     * @param route a route index from {@link #lookup6}.
     */
    public int port6(final int route)
    {
        return port6[route];
    }

    /**
     * {@return the prefix length of IPv6 route {@code route}}
     *
     * @param route a route index from {@link #lookup6}.
     */
    public int prefix6(final int route)
    {
        return prefix6[route];
    }

    /**
     * {@return whether IPv6 route {@code route} has a gateway (else it is connected)}
     *
     * @param route a route index from {@link #lookup6}.
     */
    public boolean hasVia6(final int route)
    {
        return hasVia6[route];
    }

    /**
     * {@return bytes 0..7 of IPv6 route {@code route}'s gateway, 0 without one}
     *
     * @param route a route index from {@link #lookup6}.
     */
    public long viaHi6(final int route)
    {
        return viaHi6[route];
    }

    /**
     * {@return bytes 8..15 of IPv6 route {@code route}'s gateway, 0 without one}
     *
     * @param route a route index from {@link #lookup6}.
     */
    public long viaLo6(final int route)
    {
        return viaLo6[route];
    }

    /** {@return the IPv4 routes in the table} */
    public int count4()
    {
        return count4;
    }

    /** {@return the IPv6 routes in the table} */
    public int count6()
    {
        return count6;
    }
}

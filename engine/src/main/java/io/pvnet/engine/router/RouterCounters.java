package io.pvnet.engine.router;

import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortTable;

/**
 * The router's accounting identity, {@code offered = forwarded + local + drops + egressDrops + pending}: every frame
 * handed to an ingress sink is counted here once as forwarded, consumed (ARP/NDP), dropped by the router with a
 * {@link PortDropReason} (also on the ingress port's rx side; a queued frame's on the egress port's tx side), or
 * refused at egress; the frames still waiting for a next hop are {@link PendingFrames}' to count.
 * <p>
 * Threading: the router thread only (the switch's counters agent, which copies them to the counters file, runs there
 * too).
 */
final class RouterCounters
{
    private final PortTable ports;
    private final long[] drops = new long[PortDropReason.END - PortDropReason.FIRST];
    private long offered;
    private long forwarded;
    private long local;
    private long egressDrops;

    RouterCounters(final PortTable ports)
    {
        this.ports = ports;
    }

    void countOffered()
    {
        offered++;
    }

    /** An ARP/NDP frame the neighbour half took. */
    void countLocal()
    {
        local++;
    }

    /** A frame an egress port took ({@code taken}) or refused (its reason is on that port's tx counters). */
    void countEgress(final boolean taken)
    {
        if (taken)
        {
            forwarded++;
        }
        else
        {
            egressDrops++;
        }
    }

    /** Drops the frame that came in on port {@code in} for {@code reason}. @return {@code reason}. */
    int drop(final int in, final int reason)
    {
        ports.counters(in).rxDropped(reason);
        drops[reason - PortDropReason.FIRST]++;
        return reason;
    }

    /** A frame that waited for port {@code out}'s next hop is dropped for {@code reason}. */
    void dropQueued(final int out, final int reason)
    {
        drops[reason - PortDropReason.FIRST]++;
        ports.counters(out).txDropped(reason);
    }

    long offered()
    {
        return offered;
    }

    long forwarded()
    {
        return forwarded;
    }

    long local()
    {
        return local;
    }

    long egressDrops()
    {
        return egressDrops;
    }

    /** {@return frames dropped for {@code reason}, a {@link PortDropReason} code (others give 0)} */
    long drops(final int reason)
    {
        return reason >= PortDropReason.FIRST && reason < PortDropReason.END ? drops[reason - PortDropReason.FIRST] : 0;
    }

    /** {@return all frames the router dropped itself} */
    long dropsTotal()
    {
        long sum = 0;
        for (final long value : drops)
        {
            sum += value;
        }
        return sum;
    }

    /** {@return offered, forwarded, local, dropped (with each reason that occurred) and {@code pending}, as text} */
    String totals(final int pending)
    {
        final StringBuilder text = new StringBuilder("router offered ").append(offered).append(" forwarded ")
            .append(forwarded).append(" local ").append(local).append(" dropped ")
            .append(dropsTotal() + egressDrops).append(" pending ").append(pending);
        for (int reason = PortDropReason.FIRST; reason < PortDropReason.END; reason++)
        {
            if (drops(reason) > 0)
            {
                text.append(' ').append(PortDropReason.name(reason)).append(' ').append(drops(reason));
            }
        }
        return text.toString();
    }
}

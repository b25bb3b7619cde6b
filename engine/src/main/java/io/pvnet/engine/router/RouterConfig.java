package io.pvnet.engine.router;

import io.pvnet.engine.offload.FrameOffload;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * How a {@link Router} is built.
 *
 * @param maxPorts          most ports, {@code 1..4096}.
 * @param maxRoutes         most routes per family (connected routes included).
 * @param maxNeighbours     most neighbours (ARP + NDP entries, all ports).
 * @param pendingFrames     frames held at most, all neighbours together, while their next hop is resolved.
 * @param pendingPerNeighbour frames held at most for one unresolved neighbour (Linux's {@code unres_qlen} idea).
 * @param reachableNs       how long a resolved neighbour is used without hearing from it again.
 * @param retransmitNs      time between ARP requests / neighbour solicitations for an unresolved neighbour.
 * @param requests          requests sent before the neighbour is declared unreachable (its frames dropped).
 * @param clock             read once per duty cycle.
 * @param offload           the software offload for egress ports that cannot take a frame as it is.
 */
public record RouterConfig(
    int maxPorts, int maxRoutes, int maxNeighbours, int pendingFrames, int pendingPerNeighbour, long reachableNs,
    long retransmitNs, int requests, NanoClock clock, FrameOffload offload)
{
    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the first value out of range, or a missing clock or offload.
     */
    public RouterConfig
    {
        if (maxPorts < 1 || maxPorts > 4096)
        {
            throw new IllegalArgumentException("maxPorts=" + maxPorts + " must be in 1..4096");
        }
        if (pendingPerNeighbour < 1 || pendingPerNeighbour > pendingFrames)
        {
            throw new IllegalArgumentException("pendingPerNeighbour=" + pendingPerNeighbour + " must be in 1.." +
                pendingFrames);
        }
        if (reachableNs < 1_000_000L || retransmitNs < 1_000_000L || requests < 1)
        {
            throw new IllegalArgumentException("reachableNs=" + reachableNs + " retransmitNs=" + retransmitNs +
                " requests=" + requests + " must be >= 1 ms, >= 1 ms, >= 1");
        }
        if (clock == null || offload == null)
        {
            throw new IllegalArgumentException("clock=" + clock + " offload=" + offload + " must be given");
        }
    }

    /**
     * {@return 64 ports, 1024 routes, 4096 neighbours, 32 pending frames (3 per neighbour), 30 s reachable, requests
     * every second, 3 of them (Linux's defaults), the system clock, and {@code offload}}
     *
     * @param offload the router's own software offload, e.g. a new {@code ChecksumFrameOffload}.
     */
    public static RouterConfig defaults(final FrameOffload offload)
    {
        return new RouterConfig(64, 1024, 4096, 32, 3, 30_000_000_000L, 1_000_000_000L, 3,
            SystemNanoClock.INSTANCE, offload);
    }

    /**
     * {@return this configuration with another clock (tests)}
     *
     * @param newClock the router clock.
     */
    public RouterConfig withClock(final NanoClock newClock)
    {
        return new RouterConfig(maxPorts, maxRoutes, maxNeighbours, pendingFrames, pendingPerNeighbour, reachableNs,
            retransmitNs, requests, newClock, offload);
    }

    /**
     * {@return this configuration with room for at least {@code ports} ports (a switch sized from its vif count)}
     *
     * @param ports ports needed; more than this configuration's {@code maxPorts} raises it.
     */
    public RouterConfig withMaxPorts(final int ports)
    {
        return new RouterConfig(Math.max(maxPorts, ports), maxRoutes, maxNeighbours, pendingFrames, pendingPerNeighbour,
            reachableNs, retransmitNs, requests, clock, offload);
    }
}

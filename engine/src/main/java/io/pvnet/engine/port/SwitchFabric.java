package io.pvnet.engine.port;

import org.agrona.concurrent.Agent;

/**
 * What joins ports: the learning bridge or the router. Wiring code attaches each port the way its fabric needs (the
 * bridge with a VLAN membership, the router with a MAC), then works only through this interface: the shared
 * {@link PortTable} for ingress sinks, ports and their counters, the agent to run, and the fabric's own totals.
 * <p>
 * Threading: an Agrona agent; the ports' ingress sinks and {@link #doWork()} run on the fabric's one thread.
 */
public interface SwitchFabric extends Agent, PortIngress.Fabric
{
    /**
     * The fabric's ports, their counters and ingress sinks.
     *
     * @return the fabric's port table.
     */
    PortTable ports();

    /**
     * The fabric's own totals, for a status line.
     *
     * @return the fabric's own totals beyond the per-port counters, as text for a status line (empty when it has
     *         none). Not for the data path.
     */
    default String totals()
    {
        return "";
    }
}

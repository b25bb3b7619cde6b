package io.pvnet.engine.port;

import io.pvnet.engine.frame.FrameSink;

/**
 * The ports of one {@link SwitchFabric} (the bridge or the router), each with the fabric's own {@link PortCounters}
 * for it and the {@link FrameSink} through which the port hands the fabric what it receives ({@link PortIngress}).
 * Indices are dense, in attach order, and never reused. The one port bookkeeping both fabrics use; the per-port
 * settings that differ (the bridge's VLAN membership, the router's MAC and addresses) stay with each fabric, indexed
 * alike.
 * <p>
 * Threading: {@link #add} before the fabric's thread starts; everything else from that thread (or after it stopped).
 */
public final class PortTable
{
    private final PortIngress.Fabric fabric;
    private final Port[] ports;
    private final PortCounters[] counters;
    private final FrameSink[] ingresses;
    private int size;

    /**
     * An empty table.
     *
     * @param fabric   where the ports' ingress sinks hand frames on.
     * @param maxPorts the most ports the table takes.
     * @throws IllegalArgumentException if {@code maxPorts} is below 1.
     */
    public PortTable(final PortIngress.Fabric fabric, final int maxPorts)
    {
        if (maxPorts < 1)
        {
            throw new IllegalArgumentException("maxPorts=" + maxPorts + " must be at least 1");
        }
        this.fabric = fabric;
        this.ports = new Port[maxPorts];
        this.counters = new PortCounters[maxPorts];
        this.ingresses = new FrameSink[maxPorts];
    }

    /**
     * Adds a port. Configuration time.
     *
     * @param port the port.
     * @return the port's index.
     * @throws IllegalStateException when the table is full.
     */
    public int add(final Port port)
    {
        if (size == ports.length)
        {
            throw new IllegalStateException("maxPorts=" + ports.length + " reached, cannot attach " + port.name());
        }
        final int index = size++;
        ports[index] = port;
        counters[index] = new PortCounters();
        ingresses[index] = new PortIngress(fabric, index);
        return index;
    }

    /** {@return the number of ports attached so far} */
    public int size()
    {
        return size;
    }

    /** {@return the most ports the table can take} */
    public int capacity()
    {
        return ports.length;
    }

    /**
     * {@return the port at {@code index}}
     *
     * @param index a port's index.
     */
    public Port port(final int index)
    {
        return ports[index];
    }

    /**
     * {@return the fabric's counters for port {@code index}}
     *
     * @param index a port's index.
     */
    public PortCounters counters(final int index)
    {
        return counters[index];
    }

    /**
     * {@return where port {@code index} hands the frames it receives}
     *
     * @param index a port's index.
     */
    public FrameSink ingress(final int index)
    {
        return ingresses[index];
    }

    /**
     * Checks a port index given at configuration time.
     *
     * @param index a port's index.
     * @throws IllegalArgumentException unless {@code index} names an attached port.
     */
    public void checkIndex(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IllegalArgumentException("port=" + index + " must be in 0.." + (size - 1));
        }
    }

    /** {@return the ports' names, comma-separated, in index order (not for the data path)} */
    public String names()
    {
        return names(this::portName);
    }

    /**
     * {@return the ports' names as {@code nameOf} gives them, comma-separated, in index order (not for the data path)}
     *
     * @param nameOf a port's name by its index (e.g. the name a command line gave it).
     */
    public String names(final java.util.function.IntFunction<String> nameOf)
    {
        final StringBuilder names = new StringBuilder();
        for (int i = 0; i < size; i++)
        {
            names.append(i == 0 ? "" : ",").append(nameOf.apply(i));
        }
        return names.toString();
    }

    private String portName(final int index)
    {
        return ports[index].name();
    }

    /** Above this many ports {@link #summary()} lists only the ports that carried frames and sums up the rest. */
    public static final int SUMMARY_PORTS_LISTED = 16;

    /**
     * Describes every port's counters, for a status line (not for the data path).
     *
     * @return each port's name with its rx and tx frames, its tx drops and every drop reason that occurred (rx and tx),
     *         e.g. {@code vif1.0 rx 5 tx 4 drops 1 mtu-exceeded 1, ...}; with more than {@value #SUMMARY_PORTS_LISTED}
     *         ports, the ports without a frame either way are summed in one entry ({@code 1022 more ports without
     *         traffic: drops 0 not-connected 25550}), so a 1,024-vif switch still ends with a line one can read.
     */
    public String summary()
    {
        return summary(this::portName);
    }

    /**
     * As {@link #summary()}, each port named as {@code nameOf} gives it.
     *
     * @param nameOf a port's name by its index (e.g. the name a command line gave it).
     * @return the status line.
     */
    public String summary(final java.util.function.IntFunction<String> nameOf)
    {
        final StringBuilder text = new StringBuilder();
        final long[] quietDrops = new long[PortDropReason.END];
        long quietTxDrops = 0;
        int quiet = 0;
        for (int i = 0; i < size; i++)
        {
            final PortCounters c = counters[i];
            if (size > SUMMARY_PORTS_LISTED && c.get(PortCounters.RX_FRAMES) == 0 && c.get(PortCounters.TX_FRAMES) == 0)
            {
                quiet++;
                quietTxDrops += c.txDropsTotal();
                for (int reason = PortDropReason.FIRST; reason < PortDropReason.END; reason++)
                {
                    quietDrops[reason] += c.txDrops(reason) + c.rxDrops(reason);
                }
                continue;
            }
            text.append(text.isEmpty() ? "" : ", ").append(nameOf.apply(i))
                .append(" rx ").append(c.get(PortCounters.RX_FRAMES))
                .append(" tx ").append(c.get(PortCounters.TX_FRAMES))
                .append(" drops ").append(c.txDropsTotal());
            for (int reason = PortDropReason.FIRST; reason < PortDropReason.END; reason++)
            {
                if (c.txDrops(reason) + c.rxDrops(reason) > 0)
                {
                    text.append(' ').append(PortDropReason.name(reason)).append(' ')
                        .append(c.txDrops(reason) + c.rxDrops(reason));
                }
            }
        }
        if (quiet > 0)
        {
            text.append(text.isEmpty() ? "" : ", ").append(quiet).append(text.isEmpty() ? " ports" : " more ports")
                .append(" without traffic: drops ").append(quietTxDrops);
            for (int reason = PortDropReason.FIRST; reason < PortDropReason.END; reason++)
            {
                if (quietDrops[reason] > 0)
                {
                    text.append(' ').append(PortDropReason.name(reason)).append(' ').append(quietDrops[reason]);
                }
            }
        }
        return text.toString();
    }
}

package io.pvnet.perf.cli.engine;

import io.pvnet.engine.SwitchCounters;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortTable;
import io.pvnet.engine.port.SwitchFabric;
import io.pvnet.engine.port.pcap.CaptureSpec;
import io.pvnet.engine.port.pcap.CaptureTee;
import io.pvnet.engine.port.pcap.CapturedPort;
import io.pvnet.engine.port.pcap.PcapPort;
import io.pvnet.engine.router.Router;
import io.pvnet.engine.router.RouterConfig;
import org.agrona.concurrent.Agent;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How {@link SwitchCommand} wires its ports: the fabric behind them (the bridge, or in routed mode the router) with the
 * things that differ between the two at wiring time, chosen once (how a port is attached by its alias, what is
 * configured once every port is attached, which totals beyond the ports are published), and the captures a port's
 * traffic is teed into on its way in and out. Everything else goes through {@link SwitchFabric} and its
 * {@link PortTable}. Apart from the command, which keeps its options, their checks and the run loop.
 * <p>
 * Threading: configuration time, on the command's thread, before the switch thread starts.
 */
final class SwitchWiring
{
    /** Attaches a port with the per-port settings its alias gets. */
    @FunctionalInterface
    interface Attacher
    {
        int attach(Port port, String alias);
    }

    final SwitchFabric fabric;
    final Attacher attacher;
    final Consumer<Map<String, Integer>> configurer;
    final Consumer<SwitchCounters> publisher;
    final String description;
    final Map<String, Integer> indexOf = new LinkedHashMap<>();

    SwitchWiring(
        final SwitchFabric fabric, final Attacher attacher, final Consumer<Map<String, Integer>> configurer,
        final Consumer<SwitchCounters> publisher, final String description)
    {
        this.fabric = fabric;
        this.attacher = attacher;
        this.configurer = configurer;
        this.publisher = publisher;
        this.description = description;
    }

    /**
     * A learning bridge whose MAC ageing reads {@code clock}: the vif poller's round clock (the time its round read
     * once; the bridge's duty cycle runs before the poller's, so it sees the previous round's time, at most one duty
     * cycle old, against ageing after 300 s).
     */
    static SwitchWiring bridged(final int maxPorts, final org.agrona.concurrent.NanoClock clock)
    {
        final Bridge bridge = new Bridge(new BridgeConfig(maxPorts, 65536, BridgeConfig.DEFAULT_AGING_NS,
            clock, new ChecksumFrameOffload()));
        return new SwitchWiring(bridge, (port, alias) -> bridge.attach(port, PortVlan.access(1)), indexOf -> { },
            published -> { }, "");
    }

    static SwitchWiring routed(final RouterSetup setup, final int maxPorts)
    {
        final Router router = new Router(RouterConfig.defaults(new ChecksumFrameOffload()).withMaxPorts(maxPorts));
        return new SwitchWiring(router, (port, alias) -> router.attach(port, setup.mac(alias)),
            indexOf -> setup.apply(router, indexOf), published -> published.router(router),
            ", routed: " + setup.describe());
    }

    Agent agent()
    {
        return fabric;
    }

    /**
     * {@return nanoseconds until the fabric's next timed work (the router's ARP/NDP retransmissions; the bridge's ageing
     * needs no punctual wake-up), Long.MAX_VALUE for none} Fabric thread.
     */
    long nanosToNextDue(final long nowNs)
    {
        return fabric instanceof Router router ? router.nanosToNextDue(nowNs) : Long.MAX_VALUE;
    }

    int attach(final Port port, final String alias)
    {
        final int index = attacher.attach(port, alias);
        indexOf.put(alias, index);
        return index;
    }

    io.pvnet.engine.frame.FrameSink ingress(final int index)
    {
        return fabric.ports().ingress(index);
    }

    /** After every port is attached: in routed mode, addresses and routes. */
    void configure()
    {
        configurer.accept(indexOf);
    }

    /**
     * Registers every heap counter of the switch in the region's counters file: the bridge's or router's view of
     * each port, each port's own counters ({@code own}: TAP, VXLAN, captures), the router's totals.
     */
    SwitchCounters publish(final org.agrona.concurrent.status.CountersManager manager, final Map<String, PortCounters> own)
    {
        final SwitchCounters published = new SwitchCounters(manager);
        for (final var alias : indexOf.entrySet())
        {
            published.port(fabric.roleName(), alias.getKey(), fabric.ports().counters(alias.getValue()));
        }
        for (final var port : own.entrySet())
        {
            published.port(port.getKey().endsWith(".pcapng") || port.getKey().endsWith(".pcap") ? "pcap" : "port",
                port.getKey(), port.getValue());
        }
        publisher.accept(published);
        return published;
    }

    /**
     * {@return the ports' names as the command line and stat name them (vif1.0, pvtap0, vxlan0), comma-separated: the
     * ready line's list} Not the ports' own names ({@code tap:pvtap0}, {@code vxlan:42@10.0.0.2:4789}), which no option
     * accepts.
     */
    String portNames()
    {
        return fabric.ports().names(aliases());
    }

    /** {@return every port's counts under the name stat and the options use, then the fabric's totals} */
    String summary()
    {
        final String totals = fabric.totals();
        return fabric.ports().summary(aliases()) + (totals.isEmpty() ? "" : "; " + totals);
    }

    /** @return each port's name by index: its alias, else (a port attached without one) its own name. */
    private java.util.function.IntFunction<String> aliases()
    {
        final String[] byIndex = new String[fabric.ports().size()];
        indexOf.forEach((alias, index) -> byIndex[index] = alias);
        return index -> byIndex[index] != null ? byIndex[index] : fabric.ports().port(index).name();
    }

    /** The capture ports: one per file, each captured port an interface of its file's capture. */
    static final class Captures
    {
        final Map<String, CaptureSpec> byPort;
        final Map<Path, PcapPort> byFile = new LinkedHashMap<>();
        final Map<Path, CaptureSpec> specs = new LinkedHashMap<>();
        final Map<String, Integer> attached = new LinkedHashMap<>();

        Captures(final Map<String, CaptureSpec> byPort)
        {
            this.byPort = byPort;
        }

        /** @return the capture of {@code port}, declaring it as an interface, or null when it is not captured. */
        PcapPort declare(final String port)
        {
            final CaptureSpec spec = byPort.get(port);
            if (spec == null)
            {
                return null;
            }
            final Path file = spec.file().toAbsolutePath().normalize();
            specs.putIfAbsent(file, spec);
            final PcapPort capture = byFile.computeIfAbsent(file, f -> new PcapPort(f.getFileName().toString()));
            attached.put(port, capture.addInterface(port));
            return capture;
        }

        /**
         * The captures' flushes as one timed work item for the switch thread's sleep, so a capture file is complete
         * within {@link PcapPort#FLUSH_INTERVAL_NS} of its last frame however long the thread would otherwise sleep.
         * Call after every port is declared; the item is allocation-free and runs on the switch thread.
         *
         * @return the soonest flush due among the captures declared so far.
         */
        io.pvnet.ring.event.DeadlineWaitPoint.TimedWork flushes()
        {
            final PcapPort[] ports = byFile.values().toArray(new PcapPort[0]);
            return nowNs ->
            {
                long dueNs = Long.MAX_VALUE;
                for (final PcapPort port : ports)
                {
                    dueNs = Math.min(dueNs, port.nanosToNextDue(nowNs));
                }
                return dueNs;
            };
        }
    }

    /** Attaches {@code port} by its alias, wrapped in a {@link CapturedPort} when it is captured. */
    int attachCaptured(final Port port, final String alias, final Captures capturePorts)
    {
        final PcapPort capture = capturePorts.declare(alias);
        if (capture != null)
        {
            return attach(new CapturedPort(port, capture, capturePorts.attached.get(alias)), alias);
        }
        return attach(port, alias);
    }

    /** @return the ingress sink of port {@code index}, behind a {@link CaptureTee} when it is captured. */
    io.pvnet.engine.frame.FrameSink ingressCaptured(final int index, final String name, final Captures capturePorts)
    {
        final Integer interfaceId = capturePorts.attached.get(name);
        if (interfaceId == null)
        {
            return ingress(index);
        }
        final PcapPort capture = capturePorts.byFile.get(capturePorts.byPort.get(name).file().toAbsolutePath().normalize());
        return new CaptureTee(capture, interfaceId, io.pvnet.checksum.pcap.PcapngWriter.DIRECTION_INBOUND,
            ingress(index));
    }
}

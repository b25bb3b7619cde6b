package io.pvnet.engine.cli;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifConfig;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.VifPort;
import io.pvnet.engine.port.pcap.CaptureTee;
import io.pvnet.engine.port.pcap.CapturedPort;
import io.pvnet.engine.port.pcap.PcapPort;
import io.pvnet.engine.port.tap.TapDevice;
import io.pvnet.engine.port.tap.TapPort;
import io.pvnet.engine.port.vxlan.VxlanConfig;
import io.pvnet.engine.port.vxlan.VxlanPort;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code pvnet switch --region PATH --vifs N [--tap NAME[,offload=on|off]]... [--vxlan local=IP,remote=IP,vni=N]...
 * [--pcap PORT=FILE]...}: the host side. Creates the region with vifs {@code 1.0 .. N.0} (guests attach with
 * {@code pvnet guest --vif I}), a learning bridge joining them with the TAP and VXLAN ports, optional captures, and
 * runs every agent on one thread until SIGINT/SIGTERM; then closes the ports (TAP devices disappear), the region, and
 * deletes the region file.
 */
@Command(name = "switch", mixinStandardHelpOptions = true,
    description = "Run the host side: vifs 1..N, a learning bridge, TAP/VXLAN/pcap ports, until interrupted.")
public final class SwitchCommand implements Callable<Integer>
{
    @Option(names = "--region", required = true, paramLabel = "PATH", description = "Region file to create.")
    String region;

    @Option(names = "--vifs", required = true, paramLabel = "N", description = "Number of vifs (1..64).")
    int vifs;

    @Option(names = "--tap", paramLabel = "NAME[,offload=on|off]", description = "A TAP port (repeatable).")
    List<String> taps = new ArrayList<>();

    @Option(names = "--vxlan", paramLabel = "local=IP,remote=IP,vni=N[,port=P][,mtu=M]",
        description = "A VXLAN port (repeatable).")
    List<String> vxlans = new ArrayList<>();

    @Option(names = "--pcap", paramLabel = "PORT=FILE", description = "Capture a port (vifI, a TAP name, vxlanK) both ways.")
    List<String> pcaps = new ArrayList<>();

    @Option(names = "--routed", description = "Routed (L3) mode instead of bridging.")
    boolean routed;

    @Option(names = "--mtu", paramLabel = "BYTES", description = "MTU of TAP ports (default 1500).")
    int mtu = 1500;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception
    {
        final Map<String, Path> captures = new LinkedHashMap<>();
        try
        {
            check();
            for (final String pcap : pcaps)
            {
                final int equals = pcap.indexOf('=');
                if (equals <= 0 || equals == pcap.length() - 1)
                {
                    throw new IllegalArgumentException("--pcap=" + pcap + " must be PORT=FILE");
                }
                captures.put(pcap.substring(0, equals), Path.of(pcap.substring(equals + 1)));
            }
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("pvnet switch: " + ex.getMessage());
            return 2;
        }
        // the barrier's shutdown hook holds the JVM's exit until the barrier is closed: after the cleanup below
        try (ShutdownLatch barrier = new ShutdownLatch())
        {
            return run(barrier, captures);
        }
    }

    private int run(final ShutdownLatch barrier, final Map<String, Path> captures) throws Exception
    {
        final Path path = RegionArgument.path(region);
        final List<Agent> agents = new ArrayList<>();
        final List<AutoCloseable> opened = new ArrayList<>();
        Region created = null;
        try
        {
            created = Region.create(path, VifRegion.regionBytes(vifs));
            final VifRegion vifRegion = VifRegion.create(created);
            final Bridge bridge = new Bridge(BridgeConfig.defaults(new ChecksumFrameOffload()));
            agents.add(bridge);
            final Map<String, PcapPort> capturePorts = new LinkedHashMap<>();
            for (int i = 1; i <= vifs; i++)
            {
                final VifPort port = new VifPort("vif" + i);
                final int index = attach(bridge, port, port.name(), captures, capturePorts);
                port.backend(VifBackend.create(vifRegion, VifConfig.of(i, 0),
                    ingress(bridge, index, port.name(), capturePorts), new ChecksumFrameOffload()));
                agents.add(port.backend());
            }
            for (final String tap : taps)
            {
                final Map<String, String> spec = HostArguments.spec("--tap", tap, "offload");
                final TapDevice device = new TapDevice(spec.get(""), HostArguments.onOff("--tap " + tap,
                    spec.getOrDefault("offload", "on")));
                opened.add(device);
                final TapPort port = new TapPort(device, mtu);
                final int index = attach(bridge, port, device.name(), captures, capturePorts);
                port.ingress(ingress(bridge, index, device.name(), capturePorts));
                agents.add(port);
            }
            int vxlanIndex = 0;
            for (final String vxlan : vxlans)
            {
                final VxlanPort port = new VxlanPort(vxlanConfig(vxlan));
                final String alias = "vxlan" + vxlanIndex++;
                final int index = attach(bridge, port, alias, captures, capturePorts);
                port.ingress(ingress(bridge, index, alias, capturePorts));
                agents.add(port);
            }
            for (final String name : captures.keySet())
            {
                if (!capturePorts.containsKey(name))
                {
                    throw new IllegalArgumentException("--pcap " + name + ": no such port (vif1..vif" + vifs +
                        ", the TAP names, vxlan0..)");
                }
            }
            agents.addAll(capturePorts.values());
            final AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000, 100_000),
                Throwable::printStackTrace, null, new CompositeAgent(agents));
            AgentRunner.startOnThread(runner);
            for (final var capture : capturePorts.entrySet())
            {
                capture.getValue().start(captures.get(capture.getKey()));
            }
            out.println("pvnet switch: region " + path + ", vifs 1.." + vifs + ", ports " + portNames(bridge) +
                "; ready");
            out.flush();
            final Region heartbeatRegion = created;
            final Thread heartbeat = Thread.ofPlatform().daemon().name("pvnet-switch-heartbeat").start(() ->
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    heartbeatRegion.updateHeartbeat(System.currentTimeMillis());
                    try
                    {
                        Thread.sleep(200);
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                }
            });
            barrier.await();
            heartbeat.interrupt();
            for (final PcapPort capture : capturePorts.values())
            {
                final long sequence = capture.stop();
                final long deadline = System.nanoTime() + 2_000_000_000L;
                while (!capture.applied(sequence) && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(5);
                }
            }
            runner.close();
            out.println("pvnet switch: stopped; " + summary(bridge));
            return 0;
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            err.println("pvnet switch: " + ex.getMessage());
            return ex instanceof IllegalArgumentException ? 2 : 1;
        }
        finally
        {
            for (final AutoCloseable closeable : opened)
            {
                closeQuietly(closeable);
            }
            if (created != null)
            {
                created.close();
                Files.deleteIfExists(path);
            }
        }
    }

    private void check()
    {
        if (vifs < 1 || vifs > 64)
        {
            throw new IllegalArgumentException("--vifs=" + vifs + " must be in 1..64");
        }
        if (routed)
        {
            throw new IllegalArgumentException("--routed is not implemented yet (bridged mode only)");
        }
        if (mtu < 68 || mtu > 65535)
        {
            throw new IllegalArgumentException("--mtu=" + mtu + " must be in 68..65535");
        }
        for (final String tap : taps)
        {
            final Map<String, String> spec = HostArguments.spec("--tap", tap, "offload");
            final String name = spec.get("");
            if (name == null || name.isEmpty() || name.length() > 15 || !name.matches("[A-Za-z0-9_.-]+"))
            {
                throw new IllegalArgumentException("--tap=" + tap + " needs an interface name (1..15 of A-Z a-z 0-9 _ . -)");
            }
            HostArguments.onOff("--tap " + tap, spec.getOrDefault("offload", "on"));
        }
        for (final String vxlan : vxlans)
        {
            vxlanConfig(vxlan);
        }
    }

    static VxlanConfig vxlanConfig(final String text)
    {
        final Map<String, String> spec = HostArguments.spec("--vxlan", text, "local", "remote", "vni", "port", "mtu");
        if (spec.containsKey("") || !spec.containsKey("local") || !spec.containsKey("remote") || !spec.containsKey("vni"))
        {
            throw new IllegalArgumentException("--vxlan=" + text + " must be local=IP,remote=IP,vni=N[,port=P][,mtu=M]");
        }
        final int port = HostArguments.integer("--vxlan port", spec.getOrDefault("port", "4789"), 1, 65535);
        final HostArguments.Address local = HostArguments.address("--vxlan local", spec.get("local"), 128);
        final HostArguments.Address remote = HostArguments.address("--vxlan remote", spec.get("remote"), 128);
        return new VxlanConfig(new InetSocketAddress(local.address(), port), new InetSocketAddress(remote.address(), port),
            HostArguments.integer("--vxlan vni", spec.get("vni"), 0, (1 << 24) - 1),
            HostArguments.integer("--vxlan mtu", spec.getOrDefault("mtu", "1450"), 68, 65000));
    }

    private static int attach(
        final Bridge bridge, final Port port, final String alias, final Map<String, Path> captures,
        final Map<String, PcapPort> capturePorts)
    {
        if (captures.containsKey(alias))
        {
            final PcapPort capture = new PcapPort("pcap-" + alias);
            capturePorts.put(alias, capture);
            return bridge.attach(new CapturedPort(port, capture), PortVlan.access(1));
        }
        return bridge.attach(port, PortVlan.access(1));
    }

    private static io.pvnet.engine.FrameSink ingress(
        final Bridge bridge, final int index, final String name, final Map<String, PcapPort> capturePorts)
    {
        final PcapPort capture = capturePorts.get(name);
        return capture == null ? bridge.ingress(index) : new CaptureTee(capture, bridge.ingress(index));
    }

    private static String portNames(final Bridge bridge)
    {
        final StringBuilder names = new StringBuilder();
        for (int i = 0; i < bridge.portCount(); i++)
        {
            names.append(i == 0 ? "" : ",").append(bridge.port(i).name());
        }
        return names.toString();
    }

    private static String summary(final Bridge bridge)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < bridge.portCount(); i++)
        {
            text.append(i == 0 ? "" : ", ").append(bridge.port(i).name())
                .append(" rx ").append(bridge.counters(i).get(PortCounters.RX_FRAMES))
                .append(" tx ").append(bridge.counters(i).get(PortCounters.TX_FRAMES))
                .append(" drops ").append(bridge.counters(i).txDropsTotal());
        }
        return text.toString();
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        try
        {
            closeable.close();
        }
        catch (final Exception ignored)
        {
            // shutting down: nothing else to do
        }
    }
}

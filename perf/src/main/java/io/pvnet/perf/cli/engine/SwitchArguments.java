package io.pvnet.perf.cli.engine;

import io.pvnet.engine.port.pcap.CaptureSpec;
import io.pvnet.engine.port.vxlan.VxlanConfig;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.ring.event.EventSelectorDescriptor;
import io.pvnet.ring.event.IdleMode;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of {@code pvnet switch} (a picocli mixin) and their checks: {@link #check()} reads every value before
 * the switch creates anything and refuses a bad one with an {@link IllegalArgumentException} whose one-line message
 * names the option, the value and what it must be (the command prints it and exits 2). The parsed forms the switch
 * starts from ({@link #captures()}, {@link #vifOwners()}, {@link #routerSetup()}, {@link #vxlanConfig(String)}) come
 * from the same methods, so what was checked is what runs. The values each option part takes are parsed by
 * {@link HostArguments}, {@link RouterSetup} and {@link CaptureSpec}. Limits of the machine (memory, file descriptors)
 * are {@link SwitchLimits}'.
 */
final class SwitchArguments
{
    /** Most vifs: what one host thread's event selector holds ({@code EventSelectorDescriptor.MAX_CAPACITY}). */
    static final int MAX_VIFS = EventSelectorDescriptor.MAX_CAPACITY;
    /** Most vifs in routed mode: vifD's default address is 10.0.D.1. */
    static final int MAX_ROUTED_VIFS = 255;

    @Option(names = "--region", required = true, paramLabel = "PATH", description = "The switch's status file to " +
        "create (a path, or NAME for /dev/shm/pvnet-NAME); guests, stat and ifconfig reach the switch over PATH.sock " +
        "beside it.")
    String region;

    @Option(names = "--vifs", required = true, paramLabel = "N",
        description = "Number of vifs (1.." + MAX_VIFS + ", 1.." + MAX_ROUTED_VIFS + " with --routed).")
    int vifs;

    @Option(names = "--queues", paramLabel = "N",
        description = "Queues each vif offers its guest (1..16, default 1; Xen's multi-queue-max-queues). All of a " +
            "vif's queues run on the switch thread.")
    int queues = 1;

    @Option(names = "--idle", paramLabel = "MODE", converter = io.pvnet.perf.harness.IdleConverter.class,
        description = "How the host thread waits when no vif has work: adaptive (default: poll 50 us after the last " +
            "work, then sleep until a guest notifies), sleep, backoff or busy-spin; " +
            io.pvnet.perf.harness.IdleConverter.MEASURING_MODES)
    IdleMode idle = IdleMode.ADAPTIVE;

    @Option(names = "--tap", paramLabel = "NAME[,offload=on|off]", description = "A TAP port (repeatable).")
    List<String> taps = new ArrayList<>();

    @Option(names = "--vxlan", paramLabel = "local=IP,remote=IP,vni=N[,port=P][,mtu=M]",
        description = "A VXLAN port (repeatable).")
    List<String> vxlans = new ArrayList<>();

    @Option(names = "--pcap", paramLabel = "PORT=FILE[,snaplen=N][,rotate=MB[,files=N]]",
        description = "Capture a port (vif1.0 as dom0 names it, also vif1; a TAP name; vxlanK) both ways into a " +
            "pcapng file, each frame with its direction; ports naming the same FILE share it (an interface each). " +
            "snaplen: bytes kept per frame; rotate: start FILE.1, FILE.2, ... every MB megabytes (a megabyte is " +
            "1,000,000 bytes); files: keep only the newest N (as tcpdump -s, -C, -W).")
    List<String> pcaps = new ArrayList<>();

    @Option(names = "--metrics", paramLabel = "[ADDR:]PORT",
        description = "Serve every counter at http://ADDR:PORT/metrics in the Prometheus text format (ADDR default " +
            "127.0.0.1).")
    String metrics;

    @Option(names = "--routed", description = {"Routed (L3) mode instead of bridging: each port an L3 port of one " +
        "router with its own MAC and addresses, static routes, proxy ARP/NDP for the hosts behind each port.",
        "Default addresses (D, k, K in hex in IPv6):",
        "  vifD:              10.0.D.1/24  fd00:0:0:D::1/64",
        "  k-th --tap (at 0): 10.1.k.1/24  fd00:0:1:k::1/64",
        "  vxlanK:            10.2.K.1/24  fd00:0:2:K::1/64"})
    boolean routed;

    @Option(names = "--router-ip", paramLabel = "PORT=ADDR/PREFIX",
        description = "Routed mode: a port's IPv4 or IPv6 address, replacing that family's default (repeatable).")
    List<String> routerIps = new ArrayList<>();

    @Option(names = "--route", paramLabel = "PREFIX=PORT[,via=IP]",
        description = {"Routed mode: a static route (repeatable), e.g.", "  0.0.0.0/0=pvtap0,via=10.1.0.2"})
    List<String> routeTexts = new ArrayList<>();

    @Option(names = "--mtu", paramLabel = "BYTES", description = "MTU of TAP ports (68..65535, default 1500).")
    int mtu = 1500;

    @Option(names = "--vif-owner", paramLabel = "N=UID",
        description = "Let the processes of uid UID attach vif N (repeatable; default: only the switch's own uid). " +
            "Guests are told apart by SO_PEERCRED on the control socket REGION.sock.")
    List<String> vifOwners = new ArrayList<>();

    /**
     * Checks every option, in the order a user reads them, before anything is created.
     *
     * @return the captures ({@link #captures()}), parsed and checked once here.
     * @throws IllegalArgumentException with one line naming the first bad option and value.
     */
    Map<String, CaptureSpec> check()
    {
        if (vifs < 1 || vifs > MAX_VIFS)
        {
            throw new IllegalArgumentException("--vifs=" + vifs + " must be in 1.." + MAX_VIFS +
                " (the vifs one host thread's event selector serves)");
        }
        if (routed && vifs > MAX_ROUTED_VIFS)
        {
            throw new IllegalArgumentException("--vifs=" + vifs + " must be in 1.." + MAX_ROUTED_VIFS +
                " with --routed (vifD's default address is 10.0.D.1)");
        }
        if (queues < 1 || queues > VifConfig.MAX_QUEUES)
        {
            throw new IllegalArgumentException("--queues=" + queues + " must be in 1.." + VifConfig.MAX_QUEUES);
        }
        if (mtu < 68 || mtu > 65535)
        {
            throw new IllegalArgumentException("--mtu=" + mtu + " must be in 68..65535");
        }
        final Set<String> tapNames = new LinkedHashSet<>();
        for (final String tap : taps)
        {
            if (!tapNames.add(tapName(tap)))
            {
                throw new IllegalArgumentException("--tap=" + tap + ": TAP " + tapName(tap) + " is given twice");
            }
            tapOffload(tap);
        }
        for (final String vxlan : vxlans)
        {
            vxlanConfig(vxlan);
        }
        final Set<String> ports = portNames();
        final Map<String, CaptureSpec> captures = captures();
        for (final String port : captures.keySet())
        {
            if (!ports.contains(port))
            {
                throw new IllegalArgumentException("--pcap " + port + ": no such port (vif1.0..vif" + vifs + ".0" +
                    (taps.isEmpty() ? "" : ", " + String.join(", ", tapNames)) +
                    (vxlans.isEmpty() ? "" : ", vxlan0..vxlan" + (vxlans.size() - 1)) + ")");
            }
        }
        if (metrics != null)
        {
            MetricsEndpoint.address(metrics);
        }
        if (!routed && (!routerIps.isEmpty() || !routeTexts.isEmpty()))
        {
            throw new IllegalArgumentException("--router-ip and --route need --routed");
        }
        if (routed)
        {
            routerSetup();
        }
        vifOwners();
        return captures;
    }

    /** {@return every port's name as the switch names it: vif1.0.., the TAP names, vxlan0..} */
    private Set<String> portNames()
    {
        final Set<String> names = new LinkedHashSet<>();
        for (int i = 1; i <= vifs; i++)
        {
            names.add("vif" + i + ".0");
        }
        for (final String tap : taps)
        {
            names.add(tapName(tap));
        }
        for (int k = 0; k < vxlans.size(); k++)
        {
            names.add("vxlan" + k);
        }
        return names;
    }

    /**
     * @param tap a {@code --tap} value.
     * @return its interface name.
     * @throws IllegalArgumentException when it has none a Linux interface may have (1..15 of A-Z a-z 0-9 _ . -).
     */
    static String tapName(final String tap)
    {
        final String name = HostArguments.spec("--tap", tap, "offload").get("");
        if (name == null || name.isEmpty() || name.length() > 15 || !name.matches("[A-Za-z0-9_.-]+"))
        {
            throw new IllegalArgumentException("--tap=" + tap + " needs an interface name (1..15 of A-Z a-z 0-9 _ . -)");
        }
        return name;
    }

    /** {@return whether the {@code --tap} value asks the kernel for offloads (on unless offload=off)} */
    static boolean tapOffload(final String tap)
    {
        return HostArguments.onOff("--tap " + tap, HostArguments.spec("--tap", tap, "offload").getOrDefault("offload", "on"));
    }

    /**
     * @return each captured port's spec, by port name (vifs as dom0 names them).
     * @throws IllegalArgumentException naming the bad value: no {@code =}, a bad option, a directory that cannot be
     *                                  written, one port named twice, or one file with two different specs.
     */
    Map<String, CaptureSpec> captures()
    {
        final Map<String, CaptureSpec> captures = new LinkedHashMap<>();
        final Map<Path, CaptureSpec> byFile = new LinkedHashMap<>();
        for (final String pcap : pcaps)
        {
            final int equals = pcap.indexOf('=');
            if (equals <= 0 || equals == pcap.length() - 1)
            {
                throw new IllegalArgumentException("--pcap=" + pcap + " must be PORT=FILE[,snaplen=N][,rotate=MB[,files=N]]");
            }
            final CaptureSpec spec;
            try
            {
                spec = CaptureSpec.parse(pcap.substring(equals + 1));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("--pcap=" + pcap + ": " + ex.getMessage());
            }
            io.pvnet.perf.bench.BenchCommand.checkWritable("--pcap " + pcap.substring(0, equals), spec.file());
            final String refusal = CaptureSpec.refusalToReplace(spec.file());
            if (refusal != null)
            {
                throw new IllegalArgumentException("--pcap=" + pcap + ": " + refusal);
            }
            final CaptureSpec sameFile = byFile.putIfAbsent(spec.file().toAbsolutePath().normalize(), spec);
            if (sameFile != null && !sameFile.equals(spec))
            {
                throw new IllegalArgumentException("--pcap=" + pcap + ": " + spec.file() +
                    " is also captured with other options; ports sharing a file share its snaplen and rotation");
            }
            if (captures.put(RegionArgument.vifName(pcap.substring(0, equals)), spec) != null)
            {
                throw new IllegalArgumentException("--pcap=" + pcap + ": port " + pcap.substring(0, equals) +
                    " is captured twice");
            }
        }
        return captures;
    }

    /** @return vif number -> owner uid from {@code --vif-owner N=UID}. */
    Map<Integer, Integer> vifOwners()
    {
        final Map<Integer, Integer> owners = new LinkedHashMap<>();
        for (final String owner : vifOwners)
        {
            final int equals = owner.indexOf('=');
            if (equals <= 0 || equals == owner.length() - 1)
            {
                throw new IllegalArgumentException("--vif-owner=" + owner + " must be N=UID");
            }
            final int vif = HostArguments.integer("--vif-owner vif", owner.substring(0, equals), 1, vifs);
            final int uid = HostArguments.integer("--vif-owner uid", owner.substring(equals + 1), 0, Integer.MAX_VALUE);
            if (owners.put(vif, uid) != null)
            {
                throw new IllegalArgumentException("--vif-owner=" + owner + ": vif " + vif + " is given an owner twice");
            }
        }
        return owners;
    }

    /** @return the routed mode's port plan, parsed and checked. */
    RouterSetup routerSetup()
    {
        final RouterSetup setup = new RouterSetup();
        for (int i = 1; i <= vifs; i++)
        {
            setup.port("vif" + i + ".0", 0, i);
        }
        for (int k = 0; k < taps.size(); k++)
        {
            setup.port(tapName(taps.get(k)), 1, k);
        }
        for (int k = 0; k < vxlans.size(); k++)
        {
            setup.port("vxlan" + k, 2, k);
        }
        setup.parse(routerIps, routeTexts);
        return setup;
    }

    /**
     * @param text a {@code --vxlan} value.
     * @return its configuration.
     * @throws IllegalArgumentException naming the missing key or the bad value.
     */
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
        if (local.address().getClass() != remote.address().getClass())
        {
            // one UDP socket bound to local sends to remote: both of one family
            throw new IllegalArgumentException("--vxlan=" + text + ": local and remote must both be IPv4 or both IPv6");
        }
        return new VxlanConfig(new InetSocketAddress(local.address(), port), new InetSocketAddress(remote.address(), port),
            HostArguments.integer("--vxlan vni", spec.get("vni"), 0, (1 << 24) - 1),
            HostArguments.integer("--vxlan mtu", spec.getOrDefault("mtu", "1450"), 68, 65000));
    }
}

package io.pvnet.perf.cli.engine;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.vif.VifPort;
import io.pvnet.engine.SwitchCounters;
import io.pvnet.engine.port.pcap.CaptureSpec;
import io.pvnet.engine.port.pcap.PcapPort;
import io.pvnet.engine.port.tap.TapDevice;
import io.pvnet.engine.port.tap.TapPort;
import io.pvnet.engine.port.vxlan.VxlanConfig;
import io.pvnet.engine.port.vxlan.VxlanPort;
import io.pvnet.engine.router.Router;
import io.pvnet.engine.router.RouterConfig;
import io.pvnet.engine.control.AdminService;
import io.pvnet.engine.control.HostMemory;
import io.pvnet.engine.control.ProcessProtection;
import io.pvnet.engine.control.GuestControlServer;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.region.HostFile;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.region.RegionException;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import io.pvnet.engine.VifPoller;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.event.EventSelectorDescriptor;
import io.pvnet.ring.event.IdleMode;
import org.agrona.concurrent.CompositeAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * (Above 500 lines: the start-up order of the switch's parts, each closed in reverse on any failure, reads best as
 * one method beside the argument checks it depends on; the parsing of each argument lives in {@link HostArguments},
 * {@link RouterSetup} and {@link SwitchLimits}.)
 * <p>
 * {@code pvnet switch --region PATH --vifs N [--tap NAME[,offload=on|off]]... [--vxlan local=IP,remote=IP,vni=N]...
 * [--pcap PORT=FILE]... [--routed [--router-ip PORT=ADDR/PREFIX]... [--route PREFIX=PORT[,via=IP]]...]}: the host
 * side. Creates the region with vifs {@code 1.0 .. N.0} (guests attach with
 * {@code pvnet guest --vif I}), a learning bridge joining them with the TAP and VXLAN ports, optional captures, and
 * runs every agent on one thread until SIGINT/SIGTERM; then closes the ports (TAP devices disappear) and the region,
 * which removes the region file if it still is the one created (see {@link Region#create}: an existing path is
 * replaced only when it is a stale region of this user). With {@code --routed} a {@link Router} takes the bridge's place ({@link RouterSetup}).
 */
@Command(name = "switch", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
    description = "Run the host side: vifs 1..N, a learning bridge (or with --routed a router), TAP/VXLAN/pcap ports, until interrupted.")
public final class SwitchCommand implements Callable<Integer>
{
    /** Most vifs: what one host thread's event selector holds ({@code EventSelectorDescriptor.MAX_CAPACITY}). */
    static final int MAX_VIFS = EventSelectorDescriptor.MAX_CAPACITY;
    /**
     * Longest sleep of the host thread while TAP or VXLAN ports are attached: their file descriptors are polled, not
     * part of the wait point, so a frame from the kernel waits at most this long.
     */
    static final long PORT_POLL_SLEEP_NS = 1_000_000L;

    @picocli.CommandLine.Mixin
    io.pvnet.perf.harness.PollingOptions polling = new io.pvnet.perf.harness.PollingOptions();

    @Option(names = "--region", required = true, paramLabel = "PATH", description = "The switch's status file to create (a path, or NAME for " +
        "/dev/shm/pvnet-NAME); guests, stat and ifconfig reach the switch over PATH.sock beside it.")
    String region;

    @Option(names = "--vifs", required = true, paramLabel = "N",
        description = "Number of vifs (1.." + MAX_VIFS + ", 1..255 with --routed).")
    int vifs;

    @Option(names = "--queues", paramLabel = "N",
        description = "Queues each vif offers its guest (multi-queue-max-queues, 1..16; default 1). All of a vif's " +
            "queues run on the switch thread.")
    int queues = 1;

    @Option(names = "--idle", paramLabel = "MODE", converter = io.pvnet.perf.harness.IdleConverter.class,
        description = "How the host thread waits when no vif has work: adaptive (default: poll 50 us after the last " +
            "work, then sleep until a guest notifies), sleep, backoff or busy-spin.")
    IdleMode idle = IdleMode.ADAPTIVE;

    @Option(names = "--tap", paramLabel = "NAME[,offload=on|off]", description = "A TAP port (repeatable).")
    List<String> taps = new ArrayList<>();

    @Option(names = "--vxlan", paramLabel = "local=IP,remote=IP,vni=N[,port=P][,mtu=M]",
        description = "A VXLAN port (repeatable).")
    List<String> vxlans = new ArrayList<>();

    @Option(names = "--pcap", paramLabel = "PORT=FILE[,snaplen=N][,rotate=MB[,files=N]]",
        description = "Capture a port (vif1.0 as dom0 names it, also vif1; a TAP name; vxlanK) both ways into a pcapng file, each frame with its " +
            "direction; ports naming the same FILE share it (an interface each). snaplen: bytes kept per frame; " +
            "rotate: start FILE.1, FILE.2, ... every MB megabytes (1 MB = 1,000,000 bytes); files: keep only the " +
            "newest N (as tcpdump -s, -C, -W).")
    List<String> pcaps = new ArrayList<>();

    @Option(names = "--metrics", paramLabel = "[ADDR:]PORT",
        description = "Serve every counter at http://ADDR:PORT/metrics in the Prometheus text format (ADDR default 127.0.0.1).")
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

    @Option(names = "--mtu", paramLabel = "BYTES", description = "MTU of TAP ports (default 1500).")
    int mtu = 1500;

    @Option(names = "--vif-owner", paramLabel = "N=UID",
        description = "Let the processes of uid UID attach vif N (repeatable; default: only the switch's own uid). " +
            "Guests are told apart by SO_PEERCRED on the control socket REGION.sock.")
    List<String> vifOwners = new ArrayList<>();

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception
    {
        final Map<String, CaptureSpec> captures;
        try
        {
            check();
            polling.apply();
            captures = captureSpecs(pcaps);
            if (metrics != null)
            {
                MetricsEndpoint.address(metrics);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("pvnet switch: " + ex.getMessage());
            return 2;
        }
        try
        {
            // before anything is created: a switch too large for this JVM or machine stops here, never mid-run (exit
            // 1, as for any resource the machine lacks; 2 is for arguments that are wrong anywhere)
            SwitchLimits.check(vifs, queues, SwitchLimits.Available.ofThisProcess());
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("pvnet switch: " + ex.getMessage());
            return 1;
        }
        // the barrier's shutdown hook holds the JVM's exit until the barrier is closed: after the cleanup below
        try (ShutdownLatch barrier = new ShutdownLatch())
        {
            return run(barrier, captures);
        }
    }

    /**
     * @param pcaps the {@code --pcap} values.
     * @return each captured port's spec, by port name.
     * @throws IllegalArgumentException naming the bad value: no {@code =}, a bad option, a directory that cannot be
     *                                  written, one port named twice, or one file with two different specs.
     */
    static Map<String, CaptureSpec> captureSpecs(final List<String> pcaps)
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

    private int run(final ShutdownLatch barrier, final Map<String, CaptureSpec> captures) throws Exception
    {
        final Path path = RegionArgument.path(region);
        final List<Agent> agents = new ArrayList<>();
        final List<AutoCloseable> opened = new ArrayList<>();
        Region created = null;
        AgentRunner runner = null;
        HostMemory memory = null;
        try
        {
            // the file at PATH is the switch's status file (pvnet header, creator pid, heartbeat; the lock against a
            // second switch on PATH); nothing the switch reads back, and nothing of its memory, is in it
            created = Region.create(path, RegionDescriptor.headerLength(1), 1);
            // before any shared memory exists: no /proc/PID/{fd,mem,map_files}, no ptrace for other processes
            ProcessProtection.closeToOthers("pvnet switch", err);
            memory = HostMemory.create(vifs, queues);
            final VifRegion vifRegion = memory.vifRegion();
            // guests attach through the control socket into their own memory, out of the selector's reach: each kicks
            // its own eventfd, which the host thread waits on in one epoll with the selector (see EpollWaitPoint); every
            // vif is visited only at the poller's housekeeping interval (timers), never to look for frames
            final io.pvnet.ring.event.EventSelector selector = VifSections.createSelector(memory.region(), vifs);
            // a vif with traffic stays polled, its port unarmed, for the spin window after its last work (NAPI): a guest
            // pushing while this thread is awake then never kicks (a write(2)), nor does this thread poll epoll for it
            final VifPoller poller = new VifPoller(selector, vifRegion.store(), VifPoller.HOUSEKEEPING_MS * 1_000_000L,
                IdleMode.spinWindowNs(), new io.pvnet.ring.event.EpollWaitPoint(selector));
            final int maxPorts = Math.min(4096, Math.max(64, vifs + taps.size() + vxlans.size()));
            final SwitchWiring fabric =
                routed ? SwitchWiring.routed(routerSetup(), maxPorts) : SwitchWiring.bridged(maxPorts, poller.roundClock());
            agents.add(fabric.agent());
            agents.add(poller);
            final SwitchWiring.Captures capturePorts = new SwitchWiring.Captures(captures);
            final Map<String, PortCounters> ownCounters = new LinkedHashMap<>();
            final List<VifPort> vifPorts = new ArrayList<>();
            for (int i = 1; i <= vifs; i++)
            {
                if (barrier.stopRequested())
                {
                    // SIGINT/SIGTERM while a large switch starts: clean up now, not after the rest of the start
                    // (the shutdown hook waits 10 s at most, then the JVM exits and leaves the status file behind)
                    throw new IllegalStateException("stopped while starting, at vif " + i + " of " + vifs);
                }
                final VifPort port = new VifPort("vif" + i + ".0"); // as dom0 names the vif
                final int index = fabric.attachCaptured(port, port.name(), capturePorts);
                port.backend(VifBackend.create(vifRegion, VifConfig.of(i, 0).withQueues(queues),
                    fabric.ingressCaptured(index, port.name(), capturePorts), new ChecksumFrameOffload()));
                poller.add(port.backend());
                vifPorts.add(port);
            }
            for (final String tap : taps)
            {
                final Map<String, String> spec = HostArguments.spec("--tap", tap, "offload");
                final TapDevice device = new TapDevice(spec.get(""), HostArguments.onOff("--tap " + tap,
                    spec.getOrDefault("offload", "on")));
                opened.add(device);
                final TapPort port = new TapPort(device, mtu);
                ownCounters.put(device.name(), port.counters());
                final int index = fabric.attachCaptured(port, device.name(), capturePorts);
                port.ingress(fabric.ingressCaptured(index, device.name(), capturePorts));
                agents.add(port);
            }
            int vxlanIndex = 0;
            for (final String vxlan : vxlans)
            {
                final VxlanPort port = new VxlanPort(vxlanConfig(vxlan));
                final String alias = "vxlan" + vxlanIndex++;
                ownCounters.put(alias, port.counters());
                final int index = fabric.attachCaptured(port, alias, capturePorts);
                port.ingress(fabric.ingressCaptured(index, alias, capturePorts));
                agents.add(port);
            }
            for (final String name : captures.keySet())
            {
                if (!capturePorts.attached.containsKey(name))
                {
                    throw new IllegalArgumentException("--pcap " + name + ": no such port (vif1.0..vif" + vifs + ".0" +
                        ", the TAP names, vxlan0..)");
                }
            }
            fabric.configure();
            agents.addAll(capturePorts.byFile.values());
            for (final var capture : capturePorts.byFile.entrySet())
            {
                ownCounters.put(capture.getKey().getFileName().toString(), capture.getValue().counters());
            }
            final SwitchCounters switchCounters = fabric.publish(vifRegion.countersManager(), ownCounters);
            if (switchCounters.unpublished() > 0)
            {
                err.println("pvnet switch: the region's counters file is full: " + switchCounters.unpublished() +
                    " switch counters not published (stat and the metrics endpoint do not show them)");
            }
            agents.add(switchCounters);
            final List<GuestControlServer.Vif> attachable = new ArrayList<>();
            final Map<Integer, Integer> owners = vifOwners();
            for (int i = 0; i < vifPorts.size(); i++)
            {
                final VifBackend backend = vifPorts.get(i).backend();
                attachable.add(new GuestControlServer.Vif(backend.config(), backend,
                    owners.getOrDefault(i + 1, HostFile.effectiveUid())));
            }
            final Path socketPath = RegionArgument.controlSocket(path);
            final ControlSocket listener = ControlSocket.listen(socketPath, !owners.isEmpty());
            final GuestControlServer control = new GuestControlServer(listener, vifRegion.store(), attachable, out)
                .admin(new AdminService(vifRegion.store(), memory.counters(), HostFile.effectiveUid(), out));
            poller.onStoreChange(control::storeChanged);
            control.hostReportsStoreChanges();
            opened.add(control::closeShares); // after the agents stopped: runs in finally, after runner.close()
            opened.add(0, control);
            // one wait point: the poller's selector; ports polled by file descriptor cap the sleep
            // idle, the thread wakes only for the vifs' heartbeat stamp (once a second, with the counters copy) and, while
            // some vif has a timer running, its housekeeping (the poller bounds each sleep)
            final long maxSleepNs = taps.isEmpty() && vxlans.isEmpty() ? VifPoller.HEARTBEAT_NS : PORT_POLL_SLEEP_NS;
            // the router's timed work (ARP/NDP retransmissions while frames wait for a neighbour) and the captures'
            // flushes (a capture file complete within 100 ms of its last frame) bound the sleep too
            final io.pvnet.ring.event.DeadlineWaitPoint.TimedWork flushes = capturePorts.flushes();
            final io.pvnet.ring.event.WaitPoint waitPoint = new io.pvnet.ring.event.DeadlineWaitPoint(poller,
                nowNs -> Math.min(fabric.nanosToNextDue(nowNs), flushes.nanosToNextDue(nowNs)));
            runner = new AgentRunner(idle.newIdleStrategy(waitPoint, IdleMode.spinWindowNs(), maxSleepNs),
                new io.pvnet.engine.RateLimitedErrorHandler("pvnet switch", System.err, 1_000), null,
                new CompositeAgent(agents));
            AgentRunner.startOnThread(runner);
            control.start();
            if (metrics != null)
            {
                final MetricsEndpoint endpoint;
                try
                {
                    endpoint = MetricsEndpoint.start(MetricsEndpoint.address(metrics), vifRegion.countersReader());
                }
                catch (final java.io.IOException ex)
                {
                    throw new IllegalStateException("--metrics=" + metrics + ": cannot listen: " + ex.getMessage());
                }
                opened.add(endpoint);
                out.println("pvnet switch: metrics at http://" + endpoint.address().getHostString() + ":" +
                    endpoint.address().getPort() + "/metrics");
            }
            for (final var capture : capturePorts.byFile.entrySet())
            {
                capture.getValue().start(capturePorts.specs.get(capture.getKey()));
            }
            out.println("pvnet switch: region " + path + ", control " + socketPath + ", vifs 1.." + vifs + ", idle " +
                idle + ", ports " +
                (vifs > 8 ? "vif1.0..vif" + vifs + ".0" + (taps.size() + vxlans.size() > 0 ? " and " + (taps.size() + vxlans.size()) + " more" : "") :
                fabric.portNames()) + fabric.description + "; ready");
            out.flush();
            final Region heartbeatRegion = created;
            final Thread heartbeat = Thread.ofPlatform().daemon().name("pvnet-switch-heartbeat").start(() ->
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    heartbeatRegion.updateHeartbeat(System.currentTimeMillis());
                    try
                    {
                        // once a second, not more: only `pvnet stat` on the region file reads it (stale after 2 s);
                        // guests see the switch die through their control connection, never through this
                        Thread.sleep(1_000);
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                }
            });
            barrier.await();
            heartbeat.interrupt();
            for (final PcapPort capture : capturePorts.byFile.values())
            {
                final long sequence = capture.stop();
                final long deadline = System.nanoTime() + 2_000_000_000L;
                while (!capture.applied(sequence) && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(5);
                }
            }
            control.close(); // every guest sees the switch go now
            io.pvnet.ring.event.RunnerStop.close(runner, poller::wake);
            out.println("pvnet switch: stopped; " + fabric.summary());
            return 0;
        }
        catch (final IllegalArgumentException | IllegalStateException | RegionException ex)
        {
            err.println("pvnet switch: " + ex.getMessage());
            return ex instanceof IllegalArgumentException ? 2 : 1;
        }
        catch (final OutOfMemoryError ex)
        {
            // each vif queue's buffers (rx queue, segment scratch, tx frame: about 1.3 MiB of direct memory) are taken
            // at start: a switch too large for this JVM stops here with one line naming the flags that size it
            err.println("pvnet switch: not enough memory for --vifs=" + vifs + " --queues=" + queues + " (" +
                ex.getMessage() + "); lower --vifs or --queues, or allow the JVM more " +
                "(PVNET_JAVA_OPTS=-XX:MaxDirectMemorySize=SIZE; it defaults to the heap's maximum, -Xmx)");
            return 1;
        }
        finally
        {
            if (runner != null)
            {
                runner.close(); // before any memory the agents use goes (idempotent)
            }
            for (final AutoCloseable closeable : opened)
            {
                closeQuietly(closeable);
            }
            if (memory != null)
            {
                memory.close();
            }
            if (created != null)
            {
                created.close(); // removes the status file only if it still is the one created here
            }
        }
    }

    /** @return vif number -> owner uid from {@code --vif-owner N=UID}. */
    private Map<Integer, Integer> vifOwners()
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
            owners.put(vif, HostArguments.integer("--vif-owner uid", owner.substring(equals + 1), 0, Integer.MAX_VALUE));
        }
        return owners;
    }

    private void check()
    {
        vifOwners();
        if (queues < 1 || queues > VifConfig.MAX_QUEUES)
        {
            throw new IllegalArgumentException("--queues=" + queues + " must be in 1.." + VifConfig.MAX_QUEUES);
        }
        if (vifs < 1 || vifs > MAX_VIFS)
        {
            throw new IllegalArgumentException("--vifs=" + vifs + " must be in 1.." + MAX_VIFS +
                " (the vifs one host thread's event selector serves)");
        }
        if (routed && vifs > 255)
        {
            throw new IllegalArgumentException("--vifs=" + vifs + " must be in 1..255 with --routed (vifD's default " +
                "address is 10.0.D.1)");
        }
        if (!routed && (!routerIps.isEmpty() || !routeTexts.isEmpty()))
        {
            throw new IllegalArgumentException("--router-ip and --route need --routed");
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
        if (routed)
        {
            routerSetup();
        }
    }

    /** @return the routed mode's port plan, parsed and checked. */
    private RouterSetup routerSetup()
    {
        final RouterSetup setup = new RouterSetup();
        for (int i = 1; i <= vifs; i++)
        {
            setup.port("vif" + i + ".0", 0, i);
        }
        for (int k = 0; k < taps.size(); k++)
        {
            setup.port(HostArguments.spec("--tap", taps.get(k), "offload").get(""), 1, k);
        }
        for (int k = 0; k < vxlans.size(); k++)
        {
            setup.port("vxlan" + k, 2, k);
        }
        setup.parse(routerIps, routeTexts);
        return setup;
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

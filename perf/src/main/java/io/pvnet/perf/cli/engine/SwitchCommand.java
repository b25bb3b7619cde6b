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
import io.pvnet.engine.port.vxlan.VxlanPort;
import io.pvnet.engine.router.Router;
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
import io.pvnet.ring.event.IdleMode;
import org.agrona.concurrent.CompositeAgent;
import io.pvnet.perf.harness.ShutdownLatch;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The options and their checks are {@link SwitchArguments}' (each bad value refused with one line, exit 2, before
 * anything is created); the machine's limits {@link SwitchLimits}'; this class starts the switch's parts in order,
 * each closed in reverse on any failure.
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
    /**
     * Longest sleep of the host thread while TAP or VXLAN ports are attached: their file descriptors are polled, not
     * part of the wait point, so a frame from the kernel waits at most this long.
     */
    static final long PORT_POLL_SLEEP_NS = 1_000_000L;

    @picocli.CommandLine.Mixin
    io.pvnet.perf.harness.PollingOptions polling = new io.pvnet.perf.harness.PollingOptions();

    @picocli.CommandLine.Mixin
    SwitchArguments arguments = new SwitchArguments();

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception
    {
        final Map<String, CaptureSpec> captures;
        try
        {
            captures = arguments.check();
            polling.apply();
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
            SwitchLimits.check(arguments.vifs, arguments.queues, SwitchLimits.Available.ofThisProcess());
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

    private int run(final ShutdownLatch barrier, final Map<String, CaptureSpec> captures) throws Exception
    {
        final int vifs = arguments.vifs;
        final int queues = arguments.queues;
        final List<String> taps = arguments.taps;
        final List<String> vxlans = arguments.vxlans;
        final String metrics = arguments.metrics;
        final Path path = RegionArgument.path(arguments.region);
        final List<Agent> agents = new ArrayList<>();
        final List<AutoCloseable> opened = new ArrayList<>();
        Region created = null;
        AgentRunner runner = null;
        HostMemory memory = null;
        try
        {
            // the file at PATH is the switch's status file (pvnet header, creator pid, heartbeat; the lock against a
            // second switch on PATH); nothing the switch reads back, and nothing of its memory, is in it
            created = Region.create(path, RegionDescriptor.headerLength(1), 1, RegionDescriptor.ROLE_SWITCH);
            // before any shared memory exists: no /proc/PID/{fd,mem,map_files}, no ptrace for other processes
            ProcessProtection.closeToOthers("pvnet switch", err);
            JvmTimerSlack.apply(); // the JVM's own idle timers ride on the switch's wake-ups
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
                arguments.routed ? SwitchWiring.routed(arguments.routerSetup(), maxPorts) :
                    SwitchWiring.bridged(maxPorts, poller.roundClock());
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
                final TapDevice device = new TapDevice(SwitchArguments.tapName(tap), SwitchArguments.tapOffload(tap));
                opened.add(device);
                final TapPort port = new TapPort(device, arguments.mtu);
                ownCounters.put(device.name(), port.counters());
                final int index = fabric.attachCaptured(port, device.name(), capturePorts);
                port.ingress(fabric.ingressCaptured(index, device.name(), capturePorts));
                agents.add(port);
            }
            int vxlanIndex = 0;
            for (final String vxlan : vxlans)
            {
                final VxlanPort port = new VxlanPort(SwitchArguments.vxlanConfig(vxlan));
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
            final List<GuestControlServer.Vif> attachable = new ArrayList<>();
            final Map<Integer, Integer> owners = arguments.vifOwners();
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
            // the region's heartbeat rides on the poller's stamp of the vifs' heartbeats (every 2 s): an idle switch wakes
            // one thread every 2 s, not two
            final Region status = created;
            status.updateHeartbeat(System.currentTimeMillis());
            poller.onHeartbeat(status::updateHeartbeat);
            control.hostReportsStoreChanges();
            opened.add(control::closeShares); // after the agents stopped: runs in finally, after runner.close()
            opened.add(0, control);
            // one wait point: the poller's selector; ports polled by file descriptor cap the sleep
            // idle, the thread wakes only for the vifs' heartbeat stamp (every 2 s) and, while
            // some vif has a timer running, its housekeeping (the poller bounds each sleep)
            final long maxSleepNs = taps.isEmpty() && vxlans.isEmpty() ? VifPoller.HEARTBEAT_NS : PORT_POLL_SLEEP_NS;
            // the router's timed work (ARP/NDP retransmissions while frames wait for a neighbour), the captures'
            // flushes (a capture file complete within 100 ms of its last frame) and the counters' copy (stat current
            // within 100 ms of the last frame) bound the sleep too
            final io.pvnet.ring.event.DeadlineWaitPoint.TimedWork flushes = capturePorts.flushes();
            final io.pvnet.ring.event.WaitPoint waitPoint = new io.pvnet.ring.event.DeadlineWaitPoint(poller,
                nowNs -> Math.min(Math.min(fabric.nanosToNextDue(nowNs), flushes.nanosToNextDue(nowNs)),
                    switchCounters.nanosToNextDue(nowNs)));
            runner = new AgentRunner(arguments.idle.newIdleStrategy(waitPoint, IdleMode.spinWindowNs(), maxSleepNs),
                new io.pvnet.engine.RateLimitedErrorHandler("pvnet switch", System.err, 1_000), null,
                switchCounters.publishingAfter(new CompositeAgent(agents)));
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
                arguments.idle + ", ports " +
                (vifs > 8 ? "vif1.0..vif" + vifs + ".0" + (taps.size() + vxlans.size() > 0 ? " and " + (taps.size() + vxlans.size()) + " more" : "") :
                fabric.portNames()) + fabric.description + "; ready");
            out.flush();
            barrier.await();
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

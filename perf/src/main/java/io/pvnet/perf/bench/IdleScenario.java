package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifPoller;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.vif.VifPort;
import io.pvnet.perf.vif.ChildJvm;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SystemNanoClock;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code idle}: what connected vifs cost while no frame moves, as CPU time from {@code /proc/PID/task/TID/schedstat}
 * over the measurement window, in % of one core per idle vif: {@code idle.cpu.vif2} a {@code pvnet switch --vifs 2}
 * with two {@code pvnet guest} processes (all three processes, JVM threads included; started with the launcher's flags
 * for those commands, {@code daemon-jvm.options}), {@code idle.cpu.vif64} and {@code idle.cpu.vif1024} the switch's
 * host thread (sleeping as {@code pvnet switch}'s does), bridge and backends with every guest in this process, all on
 * one thread that visits each frontend once a second (the whole process, harness included). {@code idle.host.*} is the host side alone (the switch process; the
 * host thread). {@code --idle} picks the mode of host and guests (default adaptive, the switch's and guest's default).
 */
public final class IdleScenario implements Scenario
{
    /**
     * How often the one in-process guest thread visits its frontends: as a sleeping guest's safety-net timeout (it is
     * otherwise woken only by its backend, and nothing arrives here).
     */
    static final long GUEST_VISIT_NS = 1_000_000_000L;
    /** Longest wait for freshly started JVMs to become quiet (JIT compilation, class loading) before measuring. */
    static final long SETTLE_MAX_NS = 40_000_000_000L;
    /** The switch's heartbeat, ms: windows last whole heartbeats (see {@link #windowMs}). */
    private static final long HEARTBEAT_MS = TimeUnit.NANOSECONDS.toMillis(VifPoller.HEARTBEAT_NS);
    /** One step of {@link #settleQuiet}: one heartbeat, so that each step holds one wake-up of the host thread. */
    private static final long STEP_MS = HEARTBEAT_MS;
    /** Shortest wait for quiet processes before measuring, ms (see {@link #settleQuiet}). */
    static final long SETTLE_MIN_MS = 10_000;
    /** Fewest steps of {@link #settleQuiet} after {@link #SETTLE_MIN_MS}: one to compare with, one compared. */
    static final int SETTLE_MIN_STEPS = 2;
    /** Shortest measurement window, ms (see {@link #window}). */
    static final long WINDOW_MIN_MS = 20_000;
    /** Vifs of the cross-process measurement ({@code idle.*.vif2}), each attached by a guest process of its own. */
    private static final int GUEST_PROCESSES = 2;
    /** The in-process vif counts measured after the cross-process pair, in order. */
    private static final int[] IN_PROCESS_VIFS = {64, 1024};
    /**
     * Setting up and connecting one in-process vif, ms, for {@link #estimatedSeconds}: 1.1 s for 64 and 17.9 s for
     * 1024 before their settling began (2026-12-07, 2 vCPUs, load 3-4).
     */
    static final long SET_UP_MS_PER_VIF = 17;

    @Override
    public String name()
    {
        return "idle";
    }

    @Override
    public String description()
    {
        return "CPU of idle connected vifs (% of a core per vif): 2 in guest processes, 64 and 1024 in process";
    }

    @Override
    public int measurementCount()
    {
        return 3;
    }

    @Override
    public int busyThreads()
    {
        return 0;
    }

    /**
     * As {@link #run} measures: the cross-process pair and each in-process count in turn, each settled (at least
     * {@link #SETTLE_MIN_MS} or the warm-up, then {@link #SETTLE_MIN_STEPS} heartbeats) and measured over a window of
     * at least {@link #WINDOW_MIN_MS} in whole heartbeats ({@link #windowMs}); before them the switch and its guest
     * JVMs start and the in-process vifs are set up ({@link #setUpSeconds}). Longer when the processes take longer to
     * become quiet (a loaded machine: up to {@link #SETTLE_MAX_NS} each).
     */
    @Override
    public double estimatedSeconds(final BenchOptions options, final double durationSeconds, final double warmupSeconds)
    {
        final long settleMs = settleFirstSleepMs(Math.round(warmupSeconds * 1000)) + SETTLE_MIN_STEPS * STEP_MS;
        final long windowMs = windowMs(Math.round(durationSeconds * 1000));
        return (1 + IN_PROCESS_VIFS.length) * (settleMs + windowMs) / 1000.0 + setUpSeconds();
    }

    /** {@return seconds to start the switch and guest JVMs and set up the in-process vifs, as measured} */
    static double setUpSeconds()
    {
        long vifs = 0;
        for (final int count : IN_PROCESS_VIFS)
        {
            vifs += count;
        }
        return ((1 + GUEST_PROCESSES) * ChildJvm.START_ESTIMATE_MS + vifs * SET_UP_MS_PER_VIF) / 1000.0;
    }

    @Override
    public void run(final ScenarioContext context) throws Exception
    {
        final IdleMode mode = context.options().idle(IdleMode.ADAPTIVE);
        crossProcess(context, mode);
        for (final int vifs : IN_PROCESS_VIFS)
        {
            inProcess(context, vifs, mode);
        }
    }

    private static void crossProcess(final ScenarioContext context, final IdleMode mode) throws Exception
    {
        final Path region = Path.of("/dev/shm", "pvnet-idle-" + ProcessHandle.current().pid());
        final List<Process> processes = new ArrayList<>();
        try
        {
            final List<String> switchArguments = new ArrayList<>(List.of("switch", "--region", region.toString(),
                "--vifs", Integer.toString(GUEST_PROCESSES), "--idle", mode.configName()));
            switchArguments.addAll(io.pvnet.perf.harness.PollingOptions.childArguments());
            final Process host = ChildJvm.startDaemon(ChildJvm.PVNET_MAIN_CLASS, switchArguments.toArray(new String[0]));
            processes.add(host);
            awaitLine(host, "ready");
            for (int vif = 1; vif <= GUEST_PROCESSES; vif++)
            {
                final List<String> guestArguments = new ArrayList<>(List.of("guest", "--region", region.toString(),
                    "--vif", Integer.toString(vif), "--ip", "10.9.0." + vif + "/24", "--idle", mode.configName()));
                guestArguments.addAll(io.pvnet.perf.harness.PollingOptions.childArguments());
                final Process guest = ChildJvm.startDaemon(ChildJvm.PVNET_MAIN_CLASS, guestArguments.toArray(new String[0]));
                processes.add(guest);
                awaitLine(guest, "ready");
            }
            final long[] pids = new long[processes.size()];
            for (int i = 0; i < pids.length; i++)
            {
                pids[i] = processes.get(i).pid();
            }
            context.report("idle.settle.vif2", settleQuiet(context, pids) / 1e9, "s");
            final long[] before = new long[pids.length];
            final long[] compilersBefore = new long[pids.length];
            for (int i = 0; i < before.length; i++)
            {
                before[i] = ProcessCpu.cpuNs(pids[i]);
                compilersBefore[i] = ProcessCpu.compilerCpuNs(pids[i]);
            }
            final long start = System.nanoTime();
            window(context, "vif2 (3 processes)");
            final long elapsed = System.nanoTime() - start;
            long total = 0;
            long hostNs = 0;
            long compilers = 0;
            for (int i = 0; i < before.length; i++)
            {
                final long used = ProcessCpu.cpuNs(pids[i]) - before[i];
                total += used;
                hostNs = i == 0 ? used : hostNs;
                compilers += ProcessCpu.compilerCpuNs(pids[i]) - compilersBefore[i];
            }
            context.report("idle.cpu.vif2", 100.0 * total / elapsed / GUEST_PROCESSES, "% core/vif");
            context.report("idle.host.cpu.vif2", 100.0 * hostNs / elapsed, "% core");
            // what of it the JVMs' JIT compiler threads used: start-up work, not the vifs (it decays with time)
            context.report("idle.jit.cpu.vif2", 100.0 * compilers / elapsed / GUEST_PROCESSES, "% core/vif");
        }
        finally
        {
            for (int i = processes.size() - 1; i >= 0; i--)
            {
                processes.get(i).destroy();
                processes.get(i).waitFor(5, TimeUnit.SECONDS);
                processes.get(i).destroyForcibly();
            }
            Files.deleteIfExists(region);
        }
    }

    private static void inProcess(final ScenarioContext context, final int vifs, final IdleMode mode) throws Exception
    {
        final List<AgentRunner> guests = new ArrayList<>();
        final Runnable[] hostStop = new Runnable[1];
        try (Region region = BenchRegions.forVifs(vifs))
        {
            try
            {
                measureInProcess(context, vifs, mode, region, guests, hostStop);
            }
            finally
            {
                // every thread stops before the region is unmapped
                for (final AgentRunner guest : guests)
                {
                    guest.close();
                }
                if (hostStop[0] != null)
                {
                    hostStop[0].run();
                }
            }
        }
    }

    private static void measureInProcess(
        final ScenarioContext context, final int vifs, final IdleMode mode, final Region region,
        final List<AgentRunner> guests, final Runnable[] hostStopOut) throws Exception
    {
        {
            final VifRegion vifRegion = VifRegion.create(region, vifs);
            final VifPoller poller = new VifPoller(VifSections.createSelector(region, vifs), vifRegion.store());
            final Bridge bridge = new Bridge(new BridgeConfig(Math.max(64, vifs), 65536, BridgeConfig.DEFAULT_AGING_NS,
                SystemNanoClock.INSTANCE, new ChecksumFrameOffload()));
            final VifBackend[] backends = new VifBackend[vifs];
            final VifFrontend[] frontends = new VifFrontend[vifs];
            for (int i = 0; i < vifs; i++)
            {
                final VifConfig config = VifConfig.of(i + 1, 0);
                final VifPort port = new VifPort("vif" + (i + 1));
                final int index = bridge.attach(port, PortVlan.access(1));
                backends[i] = VifBackend.create(vifRegion, config, bridge.ingress(index), new ChecksumFrameOffload());
                port.backend(backends[i]);
                poller.add(backends[i]);
                frontends[i] = VifFrontend.create(vifRegion, config, backends[i].counters(), new ChecksumFrameOffload());
            }
            final Agent hostAgent = new CompositeAgent(poller, bridge);
            // as pvnet switch: the poller bounds each sleep (heartbeat, timers), the strategy's bound is the heartbeat's
            final AgentRunner hostRunner = new AgentRunner(
                mode.newIdleStrategy(poller, IdleMode.spinWindowNs(), VifPoller.HEARTBEAT_NS), Throwable::printStackTrace,
                null, hostAgent);
            // a plain close() would wait for the sleep to end (up to the heartbeat)
            hostStopOut[0] = () -> io.pvnet.ring.event.RunnerStop.close(hostRunner, poller::wake);
            final Thread hostThread = AgentRunner.startOnThread(hostRunner);
            // one thread for every in-process guest: a thousand guest threads would measure the scheduler, not the vifs
            final AgentRunner guest = new AgentRunner(new org.agrona.concurrent.SleepingIdleStrategy(GUEST_VISIT_NS),
                Throwable::printStackTrace, null, new IdleGuests(frontends));
            guests.add(guest);
            AgentRunner.startOnThread(guest);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (connected(frontends) < vifs && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(50);
            }
            final int connected = connected(frontends);
            if (connected < vifs)
            {
                throw new IllegalStateException("only " + connected + " of " + vifs + " vifs connected in 60 s");
            }
            final long pid = ProcessHandle.current().pid();
            // as for vif2: until this process is quiet, not a fixed 2 s; the JIT compiling the code the thousand vifs'
            // set-up and first visits ran read as idle cost (idle.cpu.vif1024 0.8 and 1.8 % of a core for the process
            // in two runs minutes apart, load 11-14)
            context.report("idle.settle.vif" + vifs, settleQuiet(context, new long[] {pid}) / 1e9, "s");
            final java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final long hostBefore = threads.getThreadCpuTime(hostThread.threadId());
            final long before = ProcessCpu.cpuNs(pid);
            final long start = System.nanoTime();
            window(context, "vif" + vifs + " (in process)");
            final long elapsed = System.nanoTime() - start;
            final long used = ProcessCpu.cpuNs(pid) - before;
            final long hostUsed = threads.getThreadCpuTime(hostThread.threadId()) - hostBefore;
            context.report("idle.cpu.vif" + vifs, 100.0 * used / elapsed / vifs, "% core/vif");
            context.report("idle.host.cpu.vif" + vifs, 100.0 * hostUsed / elapsed, "% core");
        }
    }

    private static int connected(final VifFrontend[] frontends)
    {
        int n = 0;
        for (final VifFrontend frontend : frontends)
        {
            n += frontend.isConnected() ? 1 : 0;
        }
        return n;
    }

    /**
     * Waits until the processes are quiet: at least {@link #SETTLE_MIN_MS} (or the warm-up), then in steps of one heartbeat
     * ({@link VifPoller#HEARTBEAT_NS}: each step holds one wake-up of the host thread) until two steps in a row used
     * about the same CPU (within 20 % or 0.05 % of a core) or {@link #SETTLE_MAX_NS} passed. A window opened
     * 2 s after start measured mostly the children's JIT compilers and class loading (idle.cpu.vif2 6.6 %/vif where
     * the same processes idle for minutes cost 1.6 %/vif).
     *
     * @return how long it waited, ns.
     */
    private static long settleQuiet(final ScenarioContext context, final long[] pids) throws InterruptedException
    {
        final long start = System.nanoTime();
        // fresh JVMs compile for seconds even when idle: never measure them before 10 s
        Thread.sleep(settleFirstSleepMs(context.warmup().toMillis()));
        long previous = -1;
        while (System.nanoTime() - start < SETTLE_MAX_NS)
        {
            long before = 0;
            for (final long pid : pids)
            {
                before += ProcessCpu.cpuNs(pid);
            }
            Thread.sleep(STEP_MS);
            long used = 0;
            for (final long pid : pids)
            {
                used += ProcessCpu.cpuNs(pid);
            }
            used -= before;
            // previous >= 0: a step to compare with first, so at least SETTLE_MIN_STEPS (2) steps
            if (previous >= 0 && (Math.abs(used - previous) <= previous / 5 || Math.abs(used - previous) < STEP_MS * 500))
            {
                break;
            }
            previous = used;
        }
        return System.nanoTime() - start;
    }

    /**
     * The measurement window: the run's duration, but at least {@link #WINDOW_MIN_MS} and whole heartbeats. An idle
     * process wakes every 2 s (the switch's heartbeat) to every 35 s (the JVM's own timers, see
     * {@code JvmTimerSlack}), each wake-up costing 0.5-2 ms: a window of a second or two (the fitted duration of a full
     * {@code bench}) measures whether a wake-up fell into it.
     */
    private static void window(final ScenarioContext context, final String what) throws InterruptedException
    {
        try (ProgressPrinter.Line ignored = context.progress(what, () -> 0, 1, "frames/s"))
        {
            Thread.sleep(windowMs(context.duration().toMillis()));
        }
    }

    /** @return the first sleep of {@link #settleQuiet} for a run's warm-up: at least {@link #SETTLE_MIN_MS}, ms. */
    static long settleFirstSleepMs(final long warmupMs)
    {
        return Math.max(SETTLE_MIN_MS, warmupMs);
    }

    /** @return the window for a run's duration: at least {@link #WINDOW_MIN_MS}, in whole heartbeats, ms. */
    static long windowMs(final long durationMs)
    {
        final long ms = Math.max(WINDOW_MIN_MS, durationMs);
        return (ms + HEARTBEAT_MS - 1) / HEARTBEAT_MS * HEARTBEAT_MS;
    }

    private static void awaitLine(final Process process, final String marker) throws Exception
    {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = reader.readLine()) != null)
        {
            if (line.contains(marker))
            {
                // keep draining its output so the child never blocks on a full pipe
                Thread.ofVirtual().start(() -> drain(reader));
                return;
            }
            if (System.nanoTime() - deadline > 0)
            {
                break;
            }
        }
        throw new IllegalStateException("child exited or never ready: " + process.info().commandLine().orElse("?"));
    }

    private static void drain(final BufferedReader reader)
    {
        try
        {
            while (reader.readLine() != null)
            {
                // discard
            }
        }
        catch (final java.io.IOException ignored)
        {
            // the child ended
        }
    }

    /**
     * In-process guests that only keep their vifs alive: negotiation, and whatever arrives (nothing, here), all on one
     * thread that visits every frontend, then sleeps {@link #GUEST_VISIT_NS} (1 ms until all are connected).
     */
    private static final class IdleGuests implements Agent
    {
        private final VifFrontend[] frontends;
        private final io.pvnet.engine.frame.FrameHandler discard = (buffer, offset, length, metadata) -> { };
        private boolean allConnected;

        IdleGuests(final VifFrontend[] frontends)
        {
            this.frontends = frontends;
        }

        @Override
        public int doWork()
        {
            int work = 0;
            boolean connected = true;
            for (final VifFrontend frontend : frontends)
            {
                work += frontend.doWork() + frontend.poll(discard, 64);
                connected &= frontend.isConnected();
            }
            if (!connected)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
            }
            allConnected = connected;
            return work;
        }

        @Override
        public String roleName()
        {
            return "idle-guests";
        }
    }
}

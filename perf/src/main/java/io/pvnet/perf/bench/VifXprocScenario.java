package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.perf.vif.ChildJvm;
import io.pvnet.perf.vif.VifGuestMain;
import io.pvnet.perf.vif.XprocHost;
import io.pvnet.engine.VifPoller;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.event.EpollWaitPoint;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code vif-xproc}: as {@code vif}, with both guests' frontends in a second JVM ({@link VifGuestMain}) on the isolated
 * path real guests use ({@link XprocHost}): each vif attached over a control socket into its own sealed memfd, the
 * host's store and counters in this process's anonymous memory. This process runs the backends and the crossover on
 * one thread.
 * <p>
 * Default {@code --idle adaptive} ({@link #DEFAULT_IDLE}): both processes wait as {@code pvnet switch} and
 * {@code pvnet guest} do:
 * the host thread's backends under a {@link VifPoller} that sleeps in an {@link EpollWaitPoint} over the guests' kick
 * eventfds, the guest thread on the receiving vif's event port (a futex word in its own memory); each polls for the
 * spin window ({@code --spin-us}) after its last work and is kicked only once it armed its port to sleep. While
 * frames flow neither side makes a syscall; a side that went to sleep is woken by the frame that arrives rather than
 * by a timer. With the other modes both sides idle with their Agrona strategy instead ({@code backoff}: spin, yield,
 * then timed parks of 1-100 us, which on two cores let the pipeline run in bursts of a ring per park).
 * Figures
 * {@code vif-xproc.64} (Mpps) and {@code vif-xproc.1500} (Gbit/s), and with {@code --tso on} (default)
 * {@code vif-xproc.tso} (64 KiB TSO frames split in software for a receiving guest without TSO, Gbit/s of segments
 * delivered, as {@code vif.tso}), each with {@code .p50}/{@code .p99} one-way latency (ns), measured by the guest
 * process.
 */
public final class VifXprocScenario implements Scenario
{
    /**
     * {@code --idle} unless given: adaptive, as real guests and switches run. Busy-spin is faster only on free cores
     * (quiet 2 vCPUs: 4.30 Mpps against 3.38) and collapses as soon as anything else runs: two spinning processes
     * plus the JVMs' own threads on 2 vCPUs gave 0.12 and 0.14 Mpps at load 3 against 2.49 adaptive and 1.16-2.45
     * for the old shared-file path's backoff loop, alternating; 0.007 and 0.75 against 0.72 and 2.59 at load 10.
     */
    static final IdleMode DEFAULT_IDLE = IdleMode.ADAPTIVE;

    /**
     * The adaptive spin window unless {@code --spin-us} is given: 1 ms, not the 50 us of {@code pvnet switch}, so a
     * thread spins (yielding) through the gaps of a stream (a preempted peer, the other process's GC or JIT) instead of
     * sleeping and waiting for a kick in each. Host in its slow mode, alternating with the old shared-file path
     * (B, its spin-yield-park loop), {@code vif-xproc.64}: B 0.63, 1.11, 2.30 Mpps; 1 ms 1.40, 2.59, 2.75; 50 us 0.81,
     * 0.83, 0.92. An idle vif still sleeps 1 ms after its last frame.
     */
    static final long DEFAULT_SPIN_WINDOW_NS = 1_000_000L;

    /** {@return the spin window of both processes: the user's {@code --spin-us}, else {@link #DEFAULT_SPIN_WINDOW_NS}} */
    static long spinWindowNs()
    {
        return io.pvnet.perf.harness.PollingOptions.spinWindowGiven() ? IdleMode.spinWindowNs() : DEFAULT_SPIN_WINDOW_NS;
    }

    @Override
    public String name()
    {
        return "vif-xproc";
    }

    @Override
    public String description()
    {
        return "as vif, with the frontends in a second JVM attached as isolated guests (control socket, sealed memfd per vif)";
    }

    @Override
    public int measurementCount()
    {
        return 2;
    }

    @Override
    public int measurementCount(final BenchOptions options)
    {
        return options.sizes(64, 1500).length + (options.tso(true) ? 1 : 0);
    }

    @Override
    public int busyThreads()
    {
        return 2;
    }

    /** Each figure in a guest JVM of its own, started for it ({@link ChildJvm#START_ESTIMATE_MS}), then warmed up and measured. */
    @Override
    public double estimatedSeconds(final BenchOptions options, final double durationSeconds, final double warmupSeconds)
    {
        return measurementCount(options) * (ChildJvm.START_ESTIMATE_MS / 1000.0 + warmupSeconds + durationSeconds);
    }

    @Override
    public void run(final ScenarioContext context) throws Exception
    {
        for (final int size : context.options().sizes(64, 1500))
        {
            measure(context, "vif-xproc." + size, size);
        }
        if (context.options().tso(true))
        {
            measure(context, "vif-xproc.tso", TSO_FRAME, true);
        }
    }

    /** As {@code vif.tso}: a 64 KiB TSO frame. */
    static final int TSO_FRAME = 65535 - 64;

    /** Measures frames of {@code frameLength} bytes with the frontends in a child JVM; reports {@code name} etc. */
    static void measure(final ScenarioContext context, final String name, final int frameLength) throws Exception
    {
        measure(context, name, frameLength, false);
    }

    /**
     * @param tso the sender transmits {@code frameLength}-byte TSO frames (partial checksum, GSO TCPv4 MSS 1448) to a
     *            receiving guest without checksum or GSO offload, so the receiving backend splits them in software.
     */
    static void measure(final ScenarioContext context, final String name, final int frameLength, final boolean tso)
        throws Exception
    {
        final boolean pps = VifScenario.packetsPerSecond(frameLength) && !tso;
        final IdleMode idleMode = context.options().idle(DEFAULT_IDLE);
        // the host's store, counters and section table in its own anonymous memory: the guest process maps only the
        // sealed memfd of each vif it attaches (the isolated path of pvnet switch and pvnet guest)
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(2), VifRegion.sectionCapacity(2)))
        {
            final VifRegion vifRegion = VifRegion.create(region, 2);
            final VifBackend[] backends = new VifBackend[2];
            final ChecksumFrameOffload offload = new ChecksumFrameOffload();
            final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
            backends[0] = cable.plug(0, VifBackend.create(vifRegion, VifGuestMain.senderConfig(frameLength),
                cable.ingress(0), offload));
            backends[1] = cable.plug(1, VifBackend.create(vifRegion, VifGuestMain.receiverConfig(tso),
                cable.ingress(1), offload));
            final AgentRunner host = hostRunner(region, vifRegion, backends, idleMode);
            AgentRunner.startOnThread(host);
            final XprocHost control = new XprocHost(XprocHost.BENCH, vifRegion, backends);
            final VifCounters counters = backends[1].counters();
            final Map<String, String> result = new HashMap<>();
            final Process guest;
            try
            {
                guest = start(control.socket(), frameLength, tso, context.warmup().toMillis(),
                    context.duration().toMillis(), idleMode);
                try (ProgressPrinter.Line ignored = context.progress(name, pps ?
                    () -> counters.get(VifCounters.RX_PACKETS) : () -> counters.get(VifCounters.RX_BYTES),
                    pps ? 1e-6 : 8e-9, pps ? "Mpps" : "Gbit/s");
                    BufferedReader reader = new BufferedReader(
                        new InputStreamReader(guest.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = reader.readLine()) != null)
                    {
                        if (line.startsWith("RESULT "))
                        {
                            for (final String field : line.substring(7).split(" "))
                            {
                                final int eq = field.indexOf('=');
                                result.put(field.substring(0, eq), field.substring(eq + 1));
                            }
                        }
                        else if (line.startsWith("ERROR"))
                        {
                            throw new IllegalStateException("guest: " + line);
                        }
                    }
                    if (!guest.waitFor(30, TimeUnit.SECONDS))
                    {
                        guest.destroyForcibly();
                    }
                }
            }
            finally
            {
                control.close();
                host.close();
                control.closeShares();
            }
            if (!result.containsKey("frames"))
            {
                throw new IllegalStateException("guest process exited " + guest.exitValue() + " without a result");
            }
            final double seconds = Long.parseLong(result.get("ns")) / 1e9;
            final double value = pps ? Long.parseLong(result.get("frames")) / seconds / 1e6 :
                Long.parseLong(result.get("bytes")) * 8 / seconds / 1e9;
            context.report(name, value, pps ? "Mpps" : "Gbit/s");
            context.report(name + ".p50", Double.parseDouble(result.get("p50")), "ns");
            context.report(name + ".p99", Double.parseDouble(result.get("p99")), "ns");
        }
    }

    /**
     * The host thread: with a sleeping {@code idleMode} the backends under a poller that sleeps in epoll over the
     * guests' kick eventfds ({@code pvnet switch}'s arrangement; a vif with traffic stays polled, unarmed, for the
     * spin window after its last work, so a guest pushing into a host that is awake never kicks); otherwise both
     * backends polled every round with the mode's Agrona strategy.
     */
    private static AgentRunner hostRunner(final Region region, final VifRegion vifRegion, final VifBackend[] backends,
        final IdleMode idleMode)
    {
        if (!idleMode.sleeps())
        {
            return new AgentRunner(idleMode.newIdleStrategy(), Throwable::printStackTrace, null,
                new CompositeAgent(backends[0], backends[1]));
        }
        final io.pvnet.ring.event.EventSelector selector = VifSections.createSelector(region, backends.length);
        final VifPoller poller = new VifPoller(selector, vifRegion.store(), VifPoller.HOUSEKEEPING_MS * 1_000_000L,
            spinWindowNs(), new EpollWaitPoint(selector));
        for (final VifBackend backend : backends)
        {
            poller.add(backend); // before the guests attach: their kick eventfds go into the poller's epoll
        }
        final Agent agent = poller;
        return new AgentRunner(idleMode.newIdleStrategy(poller, spinWindowNs(), HOST_MAX_SLEEP_NS),
            Throwable::printStackTrace, null, agent);
    }

    /** The host thread's longest sleep: its housekeeping visit (timers, heartbeats). */
    private static final long HOST_MAX_SLEEP_NS = VifPoller.HOUSEKEEPING_MS * 1_000_000L;

    private static Process start(final Path socket, final int frameLength, final boolean tso, final long warmupMs,
        final long durationMs, final IdleMode idleMode) throws java.io.IOException
    {
        return ChildJvm.start(VifGuestMain.class, socket.toString(), Integer.toString(frameLength), Long.toString(warmupMs),
            Long.toString(durationMs), tso ? "tso" : "plain", idleMode.configName(), Long.toString(spinWindowNs()));
    }
}

package io.pvnet.perf.bench;

import io.pvnet.perf.harness.Baselines;
import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.netif.NetifConstants;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.perf.vif.AeronIpcBaseline;
import io.pvnet.perf.vif.AgronaCopyBaseline;
import io.pvnet.perf.vif.VifPipeline;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.region.Region;
import io.pvnet.engine.VifRegion;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code vif}: netfront to xnb, through a crossover to a second xnb and netfront; one thread for both guests, one for
 * both backends (or one for all with {@code --threading shared}). Figures per {@code --size} (default 64 and 1500):
 * {@code vif.64} in Mpps, larger sizes in Gbit/s; with {@code --tso on} (default) {@code vif.tso}: 64 KiB TSO frames
 * split in software by the receiving backend for a guest without TSO (Gbit/s of segments delivered). Each with
 * {@code .p50}/{@code .p99} one-way latency (ns). Baselines from the same run: {@code agrona.SIZE}, the same threads and
 * copies through two Agrona ring buffers, without the Xen protocol; {@code aeron.SIZE}, the same through two Aeron IPC
 * exclusive publications (and {@code aeron.65536} beside {@code vif.tso}). Every run prints {@code vif.64 / aeron.64}
 * and {@code vif.tso / aeron.65536}. {@code --xproc} runs {@code vif-xproc} instead. {@code --queues 1,2} measures
 * the vif figures again with each queue count: {@code vif.64}, {@code vif.tso} for one queue, {@code vif.q2.64},
 * {@code vif.q2.tso} for two (the sender spreads 64 flows over them; every queue still runs on the one host thread).
 * With an {@code --idle} that sleeps ({@code adaptive}, {@code sleep}) {@code vif.64} and {@code vif.tso} are measured
 * in alternating slices with their busy-spinning twins {@code vif.spin.64} and {@code vif.spin.tso}
 * ({@link AlternatingSlices}: A B B A A B B A), so their ratio is the idle strategy's, not the host's mode of the moment.
 */
public final class VifScenario implements Scenario
{
    private static final int TSO_FRAME = 65535 - 64;
    /**
     * {@code --idle} of the in-process throughput scenarios ({@code vif}, {@code switch}) unless given: busy-spin, the
     * capacity of the path on a machine whose cores are free (quiet 2-vCPU VM: vif.64 4.09-5.02 Mpps against 3.3
     * adaptive and 3.13 backoff; backoff's timed parks cut vif.tso to 1.35 Gbit/s from 47.6). A spinning thread never
     * gives its core away, so on cores shared with other work busy-spin collapses (vif.spin.64 0.084 and 0.010 Mpps
     * against vif.64 adaptive 1.58 and 0.56 in the same runs, load 9): measure there with {@code --idle adaptive}.
     */
    static final IdleMode DEFAULT_IDLE = IdleMode.BUSY_SPIN;
    /** The Aeron message size {@code vif.tso} is compared with. */
    static final int AERON_TSO_SIZE = 65_536;

    private final Supplier<FrameOffload> offload;

    /** With the checksum module's software offload. */
    public VifScenario()
    {
        this(ChecksumFrameOffload::new);
    }

    /** @param offload makes one offload step per thread. */
    public VifScenario(final Supplier<FrameOffload> offload)
    {
        this.offload = offload;
    }

    @Override
    public String name()
    {
        return "vif";
    }

    @Override
    public String description()
    {
        return "netfront -> xnb -> crossover -> xnb -> netfront: Mpps / Gbit/s per size, TSO split, one-way latency; " +
            "agrona ring-buffer copy and aeron IPC baselines";
    }

    @Override
    public int measurementCount()
    {
        return 5;
    }

    @Override
    public int measurementCount(final BenchOptions options)
    {
        if (options.xproc())
        {
            return new VifXprocScenario().measurementCount(options);
        }
        final int[] sizes = options.sizes(64, 1500);
        final IdleMode idleMode = options.idle(DEFAULT_IDLE);
        final int queueRuns = options.queues(1).length;
        final int spinFigures = idleMode != null && idleMode.sleeps() && options.queues(1)[0] == 1 ?
            (contains(sizes, 64) ? 1 : 0) + (options.tso(true) ? 1 : 0) : 0;
        return 3 * sizes.length + (options.tso(true) ? (contains(sizes, AERON_TSO_SIZE) ? 1 : 2) : 0) +
            (queueRuns - 1) * (sizes.length + (options.tso(true) ? 1 : 0)) + spinFigures;
    }

    /** With {@code --xproc} as {@code vif-xproc}'s (a guest JVM per figure). */
    @Override
    public double estimatedSeconds(final BenchOptions options, final double durationSeconds, final double warmupSeconds)
    {
        return options.xproc() ? new VifXprocScenario().estimatedSeconds(options, durationSeconds, warmupSeconds) :
            Scenario.super.estimatedSeconds(options, durationSeconds, warmupSeconds);
    }

    @Override
    public int busyThreads(final BenchOptions options)
    {
        return options.threading(BenchOptions.Threading.DEDICATED) == BenchOptions.Threading.SHARED ? 1 : 2;
    }

    @Override
    public void run(final ScenarioContext context) throws Exception
    {
        final BenchOptions options = context.options();
        final int[] sizes = options.sizes(64, 1500);
        if (options.xproc())
        {
            new VifXprocScenario().run(context);
            return;
        }
        final int burst = options.batch(32);
        final IdleMode idleMode = options.idle(DEFAULT_IDLE);
        final Supplier<IdleStrategy> idle = idleMode == null ? VifPipeline.DEFAULT_IDLE : idleMode::newIdleStrategy;
        this.sleepMode = idleMode;
        final boolean shared = options.threading(BenchOptions.Threading.DEDICATED) == BenchOptions.Threading.SHARED;
        context.baseline("agrona");
        context.baseline("aeron");
        final int[] queueCounts = options.queues(1);
        final boolean tso = options.tso(true);
        // a mode that sleeps: vif.64 and vif.tso against the same figures busy-spinning, in alternating slices
        // (adaptive must cost busy traffic nothing: goal >= 0.95x)
        final boolean spinTwins = idleMode != null && idleMode.sleeps() && queueCounts[0] == 1;
        for (final int size : sizes)
        {
            if (spinTwins && size == 64)
            {
                measureAgainstSpin(context, "vif.64", "vif.spin.64", 64, 0, 0, VifConfig.of(2, 0), burst, idle, shared);
            }
            else
            {
                measure(context, name(queueCounts[0], Integer.toString(size)), size, 0, 0, VifConfig.of(2, 0), burst,
                    idle, shared, queueCounts[0]);
            }
            baseline(context, "agrona." + size, size, burst, idle, shared);
            aeron(context, "aeron." + size, size, burst, idle, shared);
        }
        context.headline(name(queueCounts[0], "64"), "aeron.64");
        for (int i = 1; i < queueCounts.length; i++)
        {
            for (final int size : sizes)
            {
                measure(context, name(queueCounts[i], Integer.toString(size)), size, 0, 0, VifConfig.of(2, 0), burst,
                    idle, shared, queueCounts[i]);
            }
            if (tso)
            {
                measureTso(context, name(queueCounts[i], "tso"), burst, idle, shared, queueCounts[i]);
            }
        }
        if (tso)
        {
            // the receiving guest offers no TSO: xnb splits each 64 KiB frame in software
            if (spinTwins)
            {
                measureAgainstSpin(context, "vif.tso", "vif.spin.tso", TSO_FRAME, FrameFlags.CSUM_PARTIAL, 1448,
                    VifConfig.of(2, 0).withOffloads(true, false, false), burst, idle, shared);
            }
            else
            {
                measureTso(context, name(queueCounts[0], "tso"), burst, idle, shared, queueCounts[0]);
            }
            if (!contains(sizes, AERON_TSO_SIZE))
            {
                aeron(context, "aeron." + AERON_TSO_SIZE, AERON_TSO_SIZE, burst, idle, shared);
            }
            final String tsoName = name(queueCounts[0], "tso");
            context.headline(tsoName, "aeron." + AERON_TSO_SIZE);
            context.compare(tsoName + ".p50", "aeron." + AERON_TSO_SIZE + ".p50");
            context.compare(tsoName + ".p99", "aeron." + AERON_TSO_SIZE + ".p99");
        }
        for (int i = 0; i < queueCounts.length; i++)
        {
            if (queueCounts[i] != 1 && contains(queueCounts, 1))
            {
                context.compare(name(queueCounts[i], "64"), "vif.64");
            }
        }
    }

    /**
     * {@return a figure's name: {@code vif.SUFFIX} for one queue (the names runs without {@code --queues} have always
     * had), {@code vif.qN.SUFFIX} for N queues}
     */
    static String name(final int queues, final String suffix)
    {
        return queues == 1 ? "vif." + suffix : "vif.q" + queues + "." + suffix;
    }

    private void measureTso(
        final ScenarioContext context, final String name, final int burst, final Supplier<IdleStrategy> idle,
        final boolean shared, final int queues) throws Exception
    {
        measure(context, name, TSO_FRAME, FrameFlags.CSUM_PARTIAL, 1448,
            VifConfig.of(2, 0).withOffloads(true, false, false), burst, idle, shared, queues);
    }

    /**
     * Measures {@code name} in this run's sleeping mode and {@code spinName} with every thread busy-spinning, in
     * alternating slices ({@link AlternatingSlices}), and shows the first as a ratio to the second.
     */
    private void measureAgainstSpin(
        final ScenarioContext context, final String name, final String spinName, final int frameLength, final int flags,
        final int gsoSize, final VifConfig receiver, final int burst, final Supplier<IdleStrategy> idle,
        final boolean shared) throws Exception
    {
        final boolean pps = packetsPerSecond(frameLength) && gsoSize == 0;
        final IdleMode mode = sleepMode;
        final Supplier<IdleStrategy> spin = IdleMode.BUSY_SPIN::newIdleStrategy;
        final String[] names = {name, spinName};
        final AlternatingSlices.Totals[] totals = AlternatingSlices.run((figure, warmupMs, runMs) ->
        {
            sleepMode = figure == 0 ? mode : null;
            try
            {
                return slice(context, names[figure], frameLength, flags, gsoSize, receiver, burst,
                    figure == 0 ? idle : spin, shared, warmupMs, runMs);
            }
            finally
            {
                sleepMode = mode;
            }
        }, context.warmup().toMillis(), context.duration().toMillis());
        final double scale = pps ? 1e-6 : 8e-9;
        for (int figure = 0; figure < 2; figure++)
        {
            final java.util.List<Double> rates = new java.util.ArrayList<>();
            for (final double rate : totals[figure].sliceRates())
            {
                rates.add(rate * scale);
            }
            context.report(names[figure], totals[figure].perSecond() * scale, pps ? "Mpps" : "Gbit/s", rates);
            context.report(names[figure] + ".p50", totals[figure].latency().getValueAtPercentile(50), "ns");
            context.report(names[figure] + ".p99", totals[figure].latency().getValueAtPercentile(99), "ns");
        }
        context.compare(name, spinName);
    }

    /** One slice of {@link #measureAgainstSpin}: a fresh pipeline, warmed up, counted for {@code runMs}. */
    private AlternatingSlices.Slice slice(
        final ScenarioContext context, final String name, final int frameLength, final int flags, final int gsoSize,
        final VifConfig receiver, final int burst, final Supplier<IdleStrategy> idle, final boolean shared,
        final long warmupMs, final long runMs) throws Exception
    {
        final boolean pps = packetsPerSecond(frameLength) && gsoSize == 0;
        try (VifPipeline pipeline = new VifPipeline(Region.createAnonymous(VifRegion.regionBytes(2, 1)),
            frameLength, flags, gsoSize, gsoSize != 0 ? NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4 : 0, offload, receiver,
            burst, idle, 0, sleepMode, 1))
        {
            if (shared)
            {
                pipeline.startShared();
            }
            else
            {
                pipeline.start();
            }
            final LongSupplier count = pps ? pipeline::received : pipeline::receivedBytes;
            final double scale = pps ? 1e-6 : 8e-9;
            final String unit = pps ? "Mpps" : "Gbit/s";
            try (ProgressPrinter.Line ignored = context.progress(name + " (slice warm-up)", count, scale, unit))
            {
                Thread.sleep(warmupMs);
            }
            if (runMs == 0)
            {
                pipeline.stop();
                return new AlternatingSlices.Slice(0, 0, pipeline.latency()); // a warm-up only
            }
            pipeline.resetLatency();
            final long startCount = count.getAsLong();
            final long startNs = System.nanoTime();
            try (ProgressPrinter.Line ignored = context.progress(name + " (slice)", count, scale, unit))
            {
                Thread.sleep(runMs);
            }
            final long counted = count.getAsLong() - startCount;
            final long nanos = System.nanoTime() - startNs;
            pipeline.stop();
            return new AlternatingSlices.Slice(counted, nanos, pipeline.latency());
        }
    }

    private static boolean contains(final int[] sizes, final int size)
    {
        for (final int s : sizes)
        {
            if (s == size)
            {
                return true;
            }
        }
        return false;
    }

    private static void aeron(
        final ScenarioContext context, final String name, final int frameLength, final int burst,
        final Supplier<IdleStrategy> idle, final boolean shared) throws Exception
    {
        final boolean pps = packetsPerSecond(frameLength);
        try (AeronIpcBaseline baseline = new AeronIpcBaseline(frameLength, burst, idle))
        {
            baseline.start(shared);
            final LongSupplier count = pps ? baseline::received : () -> baseline.received() * frameLength;
            final double perSecond = run(context, name, count, pps, baseline::resetLatency);
            baseline.stop();
            report(context, name, perSecond, pps, baseline.latency());
        }
    }

    /** The --idle mode when it sleeps on the vifs' event channels (sleep, adaptive), else null. */
    private IdleMode sleepMode;

    static boolean packetsPerSecond(final int size)
    {
        return size < 512;
    }

    private void measure(
        final ScenarioContext context, final String name, final int frameLength, final int flags, final int gsoSize,
        final VifConfig receiver, final int burst, final Supplier<IdleStrategy> idle, final boolean shared,
        final int queues) throws Exception
    {
        final boolean pps = packetsPerSecond(frameLength) && gsoSize == 0;
        try (VifPipeline pipeline = new VifPipeline(Region.createAnonymous(VifRegion.regionBytes(2, queues)),
            frameLength, flags, gsoSize, gsoSize != 0 ? NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4 : 0, offload, receiver,
            burst, idle, 0, sleepMode, queues))
        {
            if (shared)
            {
                pipeline.startShared();
            }
            else
            {
                pipeline.start();
            }
            final LongSupplier count = pps ? pipeline::received : pipeline::receivedBytes;
            final double perSecond = run(context, name, count, pps, pipeline::resetLatency);
            pipeline.stop();
            report(context, name, perSecond, pps, pipeline.latency());
        }
    }

    private void baseline(
        final ScenarioContext context, final String name, final int frameLength, final int burst,
        final Supplier<IdleStrategy> idle, final boolean shared) throws Exception
    {
        final boolean pps = packetsPerSecond(frameLength);
        final AgronaCopyBaseline baseline = new AgronaCopyBaseline(frameLength, burst, idle);
        baseline.start(shared);
        final LongSupplier count = pps ? baseline::received : () -> baseline.received() * frameLength;
        final double perSecond = run(context, name, count, pps, baseline::resetLatency);
        baseline.stop();
        report(context, name, perSecond, pps, baseline.latency());
    }

    interface Reset
    {
        void reset() throws InterruptedException;
    }

    /** Warm-up, latency reset, measurement. @return counts per second. */
    static double run(
        final ScenarioContext context, final String name, final LongSupplier count, final boolean pps, final Reset reset)
        throws InterruptedException
    {
        final double scale = pps ? 1e-6 : 8e-9;
        final String unit = pps ? "Mpps" : "Gbit/s";
        try (ProgressPrinter.Line ignored = context.progress(name + " (warm-up)", count, scale, unit))
        {
            Thread.sleep(context.warmup().toMillis());
        }
        reset.reset();
        final long startCount = count.getAsLong();
        final long startNs = System.nanoTime();
        try (ProgressPrinter.Line ignored = context.progress(name, count, scale, unit))
        {
            Thread.sleep(context.duration().toMillis());
        }
        return (count.getAsLong() - startCount) * 1e9 / (System.nanoTime() - startNs);
    }

    static void report(
        final ScenarioContext context, final String name, final double perSecond, final boolean pps,
        final Histogram latency)
    {
        context.report(name, perSecond * (pps ? 1e-6 : 8e-9), pps ? "Mpps" : "Gbit/s");
        context.report(name + ".p50", latency.getValueAtPercentile(50), "ns");
        context.report(name + ".p99", latency.getValueAtPercentile(99), "ns");
    }
}

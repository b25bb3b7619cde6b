package io.pvnet.perf.bench;

import io.pvnet.engine.VifConfig;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.offload.NoFrameOffload;

import java.util.function.Supplier;
import io.pvnet.perf.vif.VifPipeline;

/**
 * {@code vif}: netfront to xnb, through a crossover to a second xnb and netfront; one thread for both guests, one for
 * both backends. Figures: {@code vif.64} (Mpps), {@code vif.1500} (Gbit/s) and, when a software segmentation offload
 * is available, {@code vif.tso} (Gbit/s of 64 KiB TSO frames split in software for a guest without TSO); each with
 * {@code .p50} and {@code .p99} one-way latency in ns.
 */
public final class VifScenario implements Scenario
{
    private final Supplier<FrameOffload> offload;

    /** With the checksum module's software offload (TSO splitting for {@code vif.tso}). */
    public VifScenario()
    {
        this(ChecksumFrameOffload::new);
    }

    /** @param offload makes one offload step per thread; {@code NoFrameOffload} leaves out {@code vif.tso}. */
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
        return "netfront -> xnb -> crossover -> xnb -> netfront, 64 B and 1500 B frames (Mpps, Gbit/s, one-way latency)";
    }

    @Override
    public int measurementCount()
    {
        return tsoAvailable() ? 3 : 2;
    }

    @Override
    public int busyThreads()
    {
        return 2;
    }

    private boolean tsoAvailable()
    {
        return offload.get() != NoFrameOffload.INSTANCE;
    }

    @Override
    public void run(final ScenarioContext context) throws Exception
    {
        measure(context, "vif.64", 64, 0, 0, VifConfig.of(2, 0), true);
        measure(context, "vif.1500", 1514, 0, 0, VifConfig.of(2, 0), false);
        if (tsoAvailable())
        {
            // the receiving guest offers no TSO: xnb splits each 64 KiB frame in software
            measure(context, "vif.tso", 65535 - 100, io.pvnet.engine.FrameFlags.CSUM_PARTIAL, 1448,
                VifConfig.of(2, 0).withOffloads(true, false, false), false);
        }
    }

    private void measure(
        final ScenarioContext context, final String name, final int frameLength, final int flags, final int gsoSize,
        final VifConfig receiver, final boolean packetsPerSecond) throws Exception
    {
        try (VifPipeline pipeline = new VifPipeline(frameLength, flags, gsoSize, gsoSize != 0 ?
            io.pvnet.engine.netif.NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4 : 0, offload, receiver))
        {
            pipeline.start();
            final double scale = packetsPerSecond ? 1e-6 : 8e-9;
            final String unit = packetsPerSecond ? "Mpps" : "Gbit/s";
            final java.util.function.LongSupplier count = packetsPerSecond ? pipeline::received : pipeline::receivedBytes;
            try (ProgressPrinter.Line ignored = context.progress(name + " (warm-up)", count, scale, unit))
            {
                Thread.sleep(context.warmup().toMillis());
            }
            pipeline.resetLatency();
            final long startCount = count.getAsLong();
            final long startNs = System.nanoTime();
            try (ProgressPrinter.Line ignored = context.progress(name, count, scale, unit))
            {
                Thread.sleep(context.duration().toMillis());
            }
            final long endCount = count.getAsLong();
            final long endNs = System.nanoTime();
            pipeline.stop();
            final double perSecond = (endCount - startCount) * 1e9 / (endNs - startNs);
            context.report(name, perSecond * scale, unit);
            context.report(name + ".p50", pipeline.latency().getValueAtPercentile(50), "ns");
            context.report(name + ".p99", pipeline.latency().getValueAtPercentile(99), "ns");
        }
    }
}

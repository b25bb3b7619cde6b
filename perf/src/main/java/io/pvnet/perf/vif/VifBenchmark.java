package io.pvnet.perf.vif;

import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.netif.NetifConstants;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One round of the whole vif path on one thread (threading mode "shared"): a burst of 32 frames from guest A through
 * xnb A, the crossover and xnb B to guest B. With {@code -prof gc}: bytes allocated per round, which should be 0.
 * {@code ./pvnet jmh VifBenchmark -prof gc}. Frame sizes: 64, 1500, and a TSO frame split for a guest without TSO.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class VifBenchmark
{
    @Param({"64", "1500", "tso"})
    public String frame;

    private VifPipeline pipeline;

    @Setup(Level.Trial)
    public void setUp()
    {
        final boolean tso = "tso".equals(frame);
        pipeline = tso ?
            new VifPipeline(65535 - 64, FrameFlags.CSUM_PARTIAL, 1448, NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4,
                ChecksumFrameOffload::new, VifConfig.of(2, 0).withOffloads(true, false, false)) :
            new VifPipeline(Integer.parseInt(frame), 0, 0, 0, ChecksumFrameOffload::new, VifConfig.of(2, 0));
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pipeline.close();
    }

    /** @return work done (frames sent + received + agent work), so the round is not optimised away. */
    @Benchmark
    public int round()
    {
        return pipeline.stepShared();
    }
}

package io.pvnet.perf.ring;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Frame throughput, one producer and one consumer thread, pvnet's ring (both layouts) against Agrona's
 * OneToOneRingBuffer and JCTools' SpscArrayQueue carrying the same 64-byte frames ({@link FrameTransport}).
 * Read {@code framesConsumed} (frames consumed; for pvnet consumed and answered) and {@code framesProduced}: the
 * {@code @AuxCounters} count successful operations only; the group score also counts empty and full attempts.
 * <pre>
 *   ./pvnet jmh SharedRingBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Group)
public class SharedRingBenchmark
{
    @Param({"pvnet", "pvnet-padded", "agrona", "jctools"})
    String transport;

    @Param({"1", "32"})
    int batch;

    FrameTransport frames;

    @Setup(Level.Trial)
    public void setUp()
    {
        frames = FrameTransport.create(transport);
    }

    /** Producer-side successful work, reset every iteration. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class ProducerCounters
    {
        public long framesProduced;
        public long produceFull;

        @Setup(Level.Iteration)
        public void reset()
        {
            framesProduced = 0;
            produceFull = 0;
        }
    }

    /** Consumer-side successful work, reset every iteration. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class ConsumerCounters
    {
        public long framesConsumed;
        public long consumeEmpty;

        @Setup(Level.Iteration)
        public void reset()
        {
            framesConsumed = 0;
            consumeEmpty = 0;
        }
    }

    @Benchmark
    @Group("throughput")
    @GroupThreads(1)
    public int produce(final ProducerCounters counters)
    {
        final int produced = frames.produce(batch);
        if (produced == 0)
        {
            counters.produceFull++;
        }
        counters.framesProduced += produced;
        return produced;
    }

    @Benchmark
    @Group("throughput")
    @GroupThreads(1)
    public long consume(final ConsumerCounters counters)
    {
        final int consumed = frames.consume(batch);
        if (consumed == 0)
        {
            counters.consumeEmpty++;
        }
        counters.framesConsumed += consumed;
        return frames.checksum();
    }
}

package io.pvnet.perf.latency;

import org.agrona.concurrent.SystemNanoClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What {@code ./pvnet latency} adds to every frame it times: recording one returned frame ({@link FixedRateSender#onFrame},
 * one clock read and one HdrHistogram record; with {@code --breakdown} four more records), against a bare
 * {@code System.nanoTime()} in the same run. {@code -prof gc} must show about 0 B/op.
 * <pre>
 *   ./pvnet jmh LatencyRecordingBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class LatencyRecordingBenchmark
{
    /** A path that is never sent through; it only names the ring path's stages. */
    static final class StagesOnly implements LatencyPath
    {
        @Override
        public String name()
        {
            return "stages-only";
        }

        @Override
        public String[] stageNames()
        {
            return new String[] {"tx ring", "backend", "rx ring"};
        }

        @Override
        public boolean offer(final long intendedSendNs, final long sendNs)
        {
            return false;
        }

        @Override
        public int poll(final FrameReceiver receiver)
        {
            return 0;
        }

        @Override
        public void close()
        {
        }
    }

    FixedRateSender roundTripOnly;
    FixedRateSender withStages;
    final long[] stamps = new long[2];
    long intendedNs;

    @Setup
    public void setUp()
    {
        final LatencyPath path = new StagesOnly();
        roundTripOnly = new FixedRateSender(path, new SystemNanoClock(), 1_000, FixedRateSender.newRecorder(), null);
        withStages = new FixedRateSender(
            path, new SystemNanoClock(), 1_000, FixedRateSender.newRecorder(), FixedRateSender.newStageRecorders(path));
        intendedNs = System.nanoTime();
    }

    /** The baseline: the one clock read every recorded frame needs anyway. */
    @Benchmark
    public long clockRead()
    {
        return System.nanoTime();
    }

    @Benchmark
    public void recordRoundTrip()
    {
        // latencies of a few hundred ns, spread so the histogram's buckets change as in a real run
        final long intended = intendedNs++;
        stamps[0] = intended + 120;
        stamps[1] = intended + 150;
        roundTripOnly.onFrame(intended, intended + 30, stamps);
    }

    @Benchmark
    public void recordRoundTripAndStages()
    {
        final long intended = intendedNs++;
        stamps[0] = intended + 120;
        stamps[1] = intended + 150;
        withStages.onFrame(intended, intended + 30, stamps);
    }
}

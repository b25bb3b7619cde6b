package io.pvnet.perf.ring;

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
 * Ping-pong round-trip time between two threads ({@link PingPong}): pvnet's ring (a request out, its response back,
 * both pushed with the notify check) against two volatile longs. JMH samples each round trip and prints percentiles;
 * the {@code ring-latency} bench scenario measures the same with HdrHistogram.
 * <pre>
 *   ./pvnet jmh SharedRingLatencyBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SharedRingLatencyBenchmark
{
    @Param({"pvnet", "pvnet-padded", "baseline"})
    String pingPong;

    PingPong channel;
    long sequence;

    @Setup(Level.Trial)
    public void setUp()
    {
        channel = PingPong.create(pingPong);
        channel.start();
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        channel.close();
    }

    @Benchmark
    public long roundTrip()
    {
        return channel.roundTrip(++sequence);
    }
}

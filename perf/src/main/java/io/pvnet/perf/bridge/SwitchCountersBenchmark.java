package io.pvnet.perf.bridge;

import io.pvnet.engine.SwitchCounters;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One copy of a switch's heap counters to its counters file ({@link SwitchCounters#publish()}) with {@code ports}
 * bridge ports registered (about 60 counters each), while one port carries traffic: the copy a busy switch makes every
 * 100 ms. Between copies the benchmark walks 8 MiB so that the counters are as cold as they are after 100 ms of
 * frames.
 * <pre>
 *   ./pvnet jmh SwitchCountersBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SwitchCountersBenchmark
{
    @Param({"2", "1024"})
    int ports;

    private SwitchCounters counters;
    private PortCounters busy;
    private final long[] evictor = new long[1 << 20];

    @Setup
    public void setUp()
    {
        final int perPort = 7 + 2 * (PortDropReason.END - PortDropReason.FIRST);
        final int capacity = ports * perPort + 16;
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.COUNTER_LENGTH)));
        counters = new SwitchCounters(manager);
        for (int i = 0; i < ports; i++)
        {
            final PortCounters port = new PortCounters();
            counters.port("bridge", "vif" + (i + 1) + ".0", port);
            if (i == 0)
            {
                busy = port;
            }
        }
    }

    /** @return a sum, so that the walk is not removed. */
    @Benchmark
    public long coldCopyWithOnePortBusy()
    {
        busy.txSent(64);
        busy.add(PortCounters.RX_FRAMES, 1);
        counters.publish();
        long sum = 0;
        for (int i = 0; i < evictor.length; i += 8)
        {
            sum += evictor[i]++;
        }
        return sum;
    }

    /** @return the same walk without a copy: subtract it from {@link #coldCopyWithOnePortBusy}. */
    @Benchmark
    public long walkOnly()
    {
        busy.txSent(64);
        long sum = 0;
        for (int i = 0; i < evictor.length; i += 8)
        {
            sum += evictor[i]++;
        }
        return sum;
    }
}

package io.pvnet.perf.ring;

import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.EventChannelDescriptor;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.grant.GrantTableDescriptor;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionSection;
import org.agrona.concurrent.UnsafeBuffer;
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

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Single-thread cost of the other data-path calls: a grant copy out of and into a granted page (with its checks and
 * the in-use CAS), against a plain copy of the same bytes, and an event-channel notify plus poll. Run with
 * {@code -prof gc} to see they allocate nothing:
 * <pre>
 *   ./pvnet jmh GrantTableBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class GrantTableBenchmark
{
    private static final int DOMID = 1;

    @Param({"64", "1500"})
    int length;

    Region region;
    GrantTable granter;
    GrantTable grantee;
    UnsafeBuffer pool;
    UnsafeBuffer local;
    EventChannel sender;
    EventChannel receiver;
    int ref;

    @Setup(Level.Trial)
    public void setUp()
    {
        region = Region.createAnonymous(1 << 20);
        final RegionSection table = region.allocateSection("grants", GrantTableDescriptor.lengthBytes(16));
        final RegionSection pages = region.allocateSection("pool", 4 * GrantTableDescriptor.PAGE_SIZE);
        final RegionSection events = region.allocateSection("events", EventChannelDescriptor.lengthBytes(2));
        granter = GrantTable.create(table.buffer(), pages.buffer());
        grantee = GrantTable.attach(table.buffer(), pages.buffer());
        ref = granter.grantAccess(DOMID, 1, false);
        pool = new UnsafeBuffer(pages.buffer());
        local = new UnsafeBuffer(ByteBuffer.allocateDirect(GrantTableDescriptor.PAGE_SIZE));
        sender = new EventChannel(events.buffer(), 0, 1, IdleMode.NOOP);
        receiver = new EventChannel(events.buffer(), 1, 0, IdleMode.NOOP);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        region.close();
    }

    @Benchmark
    public int copyFromGrant()
    {
        return grantee.copyFromGrant(DOMID, ref, 100, local, 0, length);
    }

    @Benchmark
    public int copyToGrant()
    {
        return grantee.copyToGrant(DOMID, ref, 100, local, 0, length);
    }

    @Benchmark
    public int plainCopyBaseline()
    {
        local.putBytes(0, pool, GrantTableDescriptor.PAGE_SIZE + 100, length);
        return length;
    }

    @Benchmark
    public boolean notifyAndPoll()
    {
        sender.notifyPeer();
        return receiver.poll();
    }
}

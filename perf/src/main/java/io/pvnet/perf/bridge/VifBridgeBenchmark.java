package io.pvnet.perf.bridge;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.port.vif.VifPort;
import io.pvnet.perf.vif.VifGuests;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Guest to guest on one thread: netfront A -> xnb A -> ({@code crossover} | {@code bridge} with MAC learning) -> xnb B
 * -> netfront B, every agent run by the benchmark thread. Read {@code framesReceived} (frames per time unit); the ratio
 * bridge/crossover is the switch's share of the vif path (the goal: switch.64 >= 0.8 vif.64).
 * <pre>
 *   ./pvnet jmh VifBridgeBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class VifBridgeBenchmark
{
    /** Describes the plain frames sent (complete sums, no GSO); never changed, read during each call only. */
    private final FrameMetadata plain = new FrameMetadata();
    @Param({"crossover", "bridge"})
    String path;

    @Param({"64"})
    int size;

    private Region region;
    private Bridge bridge;
    private final VifBackend[] backends = new VifBackend[2];
    private VifGuests guests;
    private long receivedBefore;

    /** Frames the receiving guest got, per iteration. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Received
    {
        public long framesReceived;
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        region = Region.createAnonymous(VifRegion.regionBytes(2));
        final VifRegion vifRegion = VifRegion.create(region);
        final VifConfig[] configs = {VifConfig.of(1, 0), VifConfig.of(2, 0)};
        final FrameSink[] sinks = new FrameSink[2];
        final VifPort[] ports = new VifPort[2];
        if ("bridge".equals(path))
        {
            bridge = new Bridge(BridgeConfig.defaults(new ChecksumFrameOffload()));
            for (int i = 0; i < 2; i++)
            {
                ports[i] = new VifPort("vif" + i);
                sinks[i] = bridge.ingress(bridge.attach(ports[i], PortVlan.access(1)));
            }
        }
        else
        {
            final Crossover cable = new Crossover();
            for (int i = 0; i < 2; i++)
            {
                ports[i] = new VifPort("vif" + i);
                sinks[i] = cable.ingress(cable.attach(ports[i]));
            }
        }
        final ChecksumFrameOffload offload = new ChecksumFrameOffload();
        for (int i = 0; i < 2; i++)
        {
            backends[i] = VifBackend.create(vifRegion, configs[i], sinks[i], offload);
            if (ports[i] != null)
            {
                ports[i].backend(backends[i]);
            }
        }
        final VifFrontend sender = VifFrontend.create(vifRegion, configs[0], backends[0].counters(), offload);
        final VifFrontend receiver = VifFrontend.create(vifRegion, configs[1], backends[1].counters(), offload);
        guests = new VifGuests(sender, receiver, size, 0, 0, 0);
        for (int i = 0; i < 100 && !(guests.connected() && backends[0].isConnected() && backends[1].isConnected());
            i++)
        {
            guests.idle();
            backends[0].doWork();
            backends[1].doWork();
        }
        if (bridge != null)
        {
            // the receiver's MAC (00:16:3e:00:02:00, the guests' frame destination) learned behind port 1
            final UnsafeBuffer hello = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            hello.putLong(0, 0xFFFF_FFFF_FFFF_0016L, java.nio.ByteOrder.BIG_ENDIAN);
            hello.putInt(8, 0x3E000200, java.nio.ByteOrder.BIG_ENDIAN);
            bridge.ingress(1).onFrame(hello, 0, 64, plain);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        region.close();
    }

    @Benchmark
    public int step(final Received received)
    {
        int work = guests.step();
        work += backends[0].doWork();
        work += backends[1].doWork();
        if (bridge != null)
        {
            work += bridge.doWork();
        }
        final long total = guests.received();
        received.framesReceived += total - receivedBefore;
        receivedBefore = total;
        return work;
    }
}

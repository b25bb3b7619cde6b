package io.pvnet.perf.bridge;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.NeighbourMessages;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.router.Router;
import io.pvnet.engine.router.RouterConfig;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;


/**
 * The router's per-frame cost on one thread against the bridge's, same ports and frames: UDP/IPv4 frames of
 * {@code size} bytes from a host behind port 0 (10.0.0.2) to one behind port 1 (10.0.1.2, resolved), so each routed
 * frame is checks + longest-prefix lookup (3 routes) + neighbour lookup + copy + TTL/MAC rewrite; {@code bridged} is
 * the same frame through a learning bridge, {@code direct} handed straight to the egress port.
 * <pre>
 *   ./pvnet jmh RouterBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class RouterBenchmark
{
    /** Describes the plain frames sent (complete sums, no GSO); never changed, read during each call only. */
    private final FrameMetadata plain = new FrameMetadata();
    private static final int FRAMES = 64;
    private static final long PORT0_MAC = 0x02_70_76_00_00_01L;
    private static final long HOST_MAC = 0x02_00_00_00_00_02L;

    @Param({"64", "1500"})
    int size;

    private Router router;
    private Bridge bridge;
    private final BridgeBenchmark.CountingPort egress = new BridgeBenchmark.CountingPort();
    private UnsafeBuffer frame;

    @Setup
    public void setUp()
    {
        router = new Router(new RouterConfig(4, 16, 64, 8, 3, Long.MAX_VALUE / 4, 1_000_000_000L, 3,
            SystemNanoClock.INSTANCE, NoFrameOffload.INSTANCE));
        router.attach(new BridgeBenchmark.CountingPort(), PORT0_MAC);
        router.attach(egress, 0x02_70_76_00_00_02L);
        router.address4(0, 0x0A00_0001, 24);
        router.address4(1, 0x0A00_0101, 24);
        router.route4(0xC633_6400, 24, 1, 0x0A00_0107);
        final UnsafeBuffer arp = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        // the host behind port 1 asks for the router: learned, so forwarding never waits
        router.ingress(1).onFrame(arp, 0, NeighbourMessages.arpRequest(arp, HOST_MAC, 0x0A00_0102, 0x0A00_0101), plain);

        bridge = new Bridge(BridgeConfig.defaults(NoFrameOffload.INSTANCE));
        bridge.attach(new BridgeBenchmark.CountingPort(), PortVlan.access(1));
        bridge.attach(egress, PortVlan.access(1));

        frame = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        final FrameBuilder builder = new FrameBuilder().wrap(frame, 0)
            .ethernet(PORT0_MAC, 0x02_00_00_00_00_01L)
            .ipv4(0x0A00_0002, 0x0A00_0102).flagsFragment(0)
            .udp(40000, 7);
        builder.payloadLength(size - builder.payloadOffset()).build();
        // learn both stations in the bridge
        bridge.ingress(0).onFrame(frame, 0, size, plain);
        final UnsafeBuffer back = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        EthernetHeader.putMac(back, 0, 0x02_00_00_00_00_01L);
        EthernetHeader.putMac(back, 6, PORT0_MAC);
        bridge.ingress(1).onFrame(back, 0, size, plain);
        if (router.ingress(0).onFrame(frame, 0, size, plain) != 0 || router.forwarded() != 1)
        {
            throw new IllegalStateException("setup: the frame was not routed, drops=" + router.dropsTotal());
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long routed()
    {
        long status = 0;
        for (int i = 0; i < FRAMES; i++)
        {
            status += router.ingress(0).onFrame(frame, 0, size, plain);
        }
        return status;
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long bridged()
    {
        long status = 0;
        for (int i = 0; i < FRAMES; i++)
        {
            status += bridge.ingress(0).onFrame(frame, 0, size, plain);
        }
        return status;
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long direct()
    {
        long status = 0;
        for (int i = 0; i < FRAMES; i++)
        {
            status += egress.onFrame(frame, 0, size, plain);
        }
        return status;
    }
}

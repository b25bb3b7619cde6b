package io.pvnet.perf.bridge;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortOffloads;
import org.agrona.DirectBuffer;
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
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The bridge's per-frame cost on one thread: learned unicast between {@code ports} ports (each port sends to the next,
 * so every frame is a MAC-table learn-refresh plus lookup), against the same frames handed straight to the egress
 * port ({@code direct}, the cost without a switch). Frames of {@code size} bytes, untagged, same VLAN.
 * <pre>
 *   ./pvnet jmh BridgeBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class BridgeBenchmark
{
    /** Describes the plain frames sent (complete sums, no GSO); never changed, read during each call only. */
    private final FrameMetadata plain = new FrameMetadata();
    private static final int FRAMES = 64;

    @Param({"2", "4"})
    int ports;

    @Param({"64", "1500"})
    int size;

    private Bridge bridge;
    private final CountingPort[] sinks = new CountingPort[4];
    private final UnsafeBuffer[] frames = new UnsafeBuffer[FRAMES];
    private final int[] ingress = new int[FRAMES];
    private final int[] egress = new int[FRAMES];

    @Setup
    public void setUp()
    {
        bridge = new Bridge(BridgeConfig.defaults(NoFrameOffload.INSTANCE));
        for (int i = 0; i < ports; i++)
        {
            sinks[i] = new CountingPort();
            bridge.attach(sinks[i], PortVlan.access(1));
        }
        for (int i = 0; i < FRAMES; i++)
        {
            final int from = i % ports;
            final int to = (from + 1) % ports;
            frames[i] = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            frames[i].putLong(0, 0);
            putMac(frames[i], 0, 0x02_00_00_00_00_00L + to);
            putMac(frames[i], 6, 0x02_00_00_00_00_00L + from);
            frames[i].putShort(12, (short)0x88B5, ByteOrder.BIG_ENDIAN);
            ingress[i] = from;
            egress[i] = to;
        }
        // learn every station once
        for (int i = 0; i < FRAMES; i++)
        {
            bridge.ingress(ingress[i]).onFrame(frames[i], 0, size, plain);
        }
    }

    private static void putMac(final UnsafeBuffer buffer, final int offset, final long mac)
    {
        for (int i = 0; i < 6; i++)
        {
            buffer.putByte(offset + i, (byte)(mac >>> (40 - 8 * i)));
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long bridged()
    {
        long status = 0;
        for (int i = 0; i < FRAMES; i++)
        {
            status += bridge.ingress(ingress[i]).onFrame(frames[i], 0, size, plain);
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
            status += sinks[egress[i]].onFrame(frames[i], 0, size, plain);
        }
        return status;
    }

    /** An egress port that reads the frame's first and last bytes and counts (what a cheap real port would touch). */
    static final class CountingPort implements Port
    {
        long frames;
        long bytes;

        @Override
        public String name()
        {
            return "count";
        }

        @Override
        public int offloads()
        {
            return PortOffloads.ALL;
        }

        @Override
        public int mtu()
        {
            return 9000;
        }

        @Override
        public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            frames++;
            bytes += buffer.getByte(offset) + buffer.getByte(offset + length - 1) + length;
            return 0;
        }
    }
}

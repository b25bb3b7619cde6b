package io.pvnet.perf.vif;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.PacketChecksums;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.guest.GuestStack;
import org.agrona.concurrent.UnsafeBuffer;
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

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The guest's side of a {@code pvnet gen} UDP echo without the rings (issue 15's per-echo cost): {@link GuestStack}
 * taking a 64-byte-payload request to port 7 and handing its echo to the transmit sink (here one that keeps nothing),
 * and the IPv4 header checksum every echo and every gen datagram computes. {@code ./pvnet jmh EchoPathBenchmark -prof gc}:
 * {@code gc.alloc.rate.norm} must stay ~0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EchoPathBenchmark
{
    private static final long GUEST_MAC = 0x0216_3E00_0200L;
    private static final long GEN_MAC = 0x0216_3E00_0100L;
    private static final int GUEST_IP = 0xC000_0202;
    private static final int GEN_IP = 0xC000_0203;

    private final UnsafeBuffer request = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final FrameMetadata metadata = new FrameMetadata();
    private int requestLength;
    private long echoed;
    private final FrameSink sink = (buffer, offset, length, frameMetadata) ->
    {
        echoed += length;
        return 0;
    };
    private final GuestStack guest = new GuestStack(GUEST_MAC, GUEST_IP, 24, null, 1500, sink);

    /** Builds the request: gen's UDP datagram of 64 payload bytes to the echo port. */
    @Setup
    public void setUp()
    {
        requestLength = new FrameBuilder().wrap(request, 0)
            .ethernet(GUEST_MAC, GEN_MAC)
            .ipv4(GEN_IP, GUEST_IP).identification(1)
            .udp(40_000, GuestStack.ECHO_PORT)
            .payloadLength(64).build();
    }

    /** @return bytes echoed so far (kept, so the echo is not optimised away). */
    @Benchmark
    public long guestUdpEcho()
    {
        guest.onFrame(request, 0, requestLength, metadata.set(0, 0, 0));
        return echoed;
    }

    /** @return the checksum field written, by {@link PacketChecksums#ipv4Header}. */
    @Benchmark
    public int ipv4HeaderChecksum()
    {
        PacketChecksums.ipv4Header(request, EthernetHeader.LENGTH);
        return request.getShort(EthernetHeader.LENGTH + 10);
    }
}

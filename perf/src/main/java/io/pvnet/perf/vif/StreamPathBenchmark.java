package io.pvnet.perf.vif;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.guest.GenPayloadDescriptor;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.guest.StreamControlDescriptor;
import io.pvnet.engine.guest.StreamCounter;
import io.pvnet.engine.guest.StreamRequestDescriptor;
import io.pvnet.engine.guest.StreamSource;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The receiving side of {@code pvnet gen}'s one-way UDP stream without the rings (issue 15's per-datagram cost): a
 * {@code pvnet guest}'s port 5201 ({@link StreamSource} handing a 64-byte-payload datagram of an announced stream to
 * its sink's count, as the guest's receive path does, the stream's report sent every 256 datagrams) and the
 * {@link StreamCounter} alone (gen counts a reverse stream with it), and the sending side of a reverse stream: a
 * guest's {@link StreamSource} streaming an unpaced stream ({@code gen --reverse --flood}) into a ring that takes every
 * datagram, per datagram. {@code ./pvnet jmh StreamPathBenchmark -prof gc}: {@code gc.alloc.rate.norm} must stay
 * ~0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StreamPathBenchmark
{
    private static final long GUEST_MAC = 0x0216_3E00_0200L;
    private static final long GEN_MAC = 0x0216_3E00_0100L;
    private static final int GUEST_IP = 0xC000_0202;
    private static final int GEN_IP = 0xC000_0203;
    private static final int PAYLOAD = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;
    /** Datagrams a stream source sends per duty cycle when its ring takes them all. */
    private static final int SENDER_BATCH = 32;

    private final UnsafeBuffer datagram = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final FrameMetadata metadata = new FrameMetadata();
    private int datagramLength;
    private int sequence;
    private long reported;
    private long nowNs;
    private final GuestStack stack = new GuestStack(GUEST_MAC, GUEST_IP, 24, null, 1500, (b, o, l, m) -> 0);
    private final StreamSource guest = new StreamSource(stack, (buffer, offset, length, frameMetadata) ->
    {
        reported++;
        return 0;
    }, () -> nowNs);
    private final StreamCounter counter = new StreamCounter();
    private long streamed;
    private final StreamSource sender = new StreamSource(stack, (buffer, offset, length, frameMetadata) ->
    {
        streamed++;
        return 0;
    }, () -> nowNs);

    /** Announces the stream (RECEIVE, a report every 256) and builds its datagram: 64 payload bytes to port 5201. */
    @Setup
    public void setUp()
    {
        final FrameBuilder builder = new FrameBuilder();
        builder.wrap(datagram, 0).ethernet(GUEST_MAC, GEN_MAC).ipv4(GEN_IP, GUEST_IP).udp(40_000, StreamSource.PORT);
        final int length = StreamControlDescriptor.write(datagram, PAYLOAD, StreamControlDescriptor.RECEIVE, 0, 1, 256,
            0, 1_000_000_000L, 0, 0, 0);
        guest.onFrame(datagram, 0, builder.payloadLength(length).build(), metadata);
        datagramLength = builder.wrap(datagram, 0).ethernet(GUEST_MAC, GEN_MAC).ipv4(GEN_IP, GUEST_IP)
            .udp(40_000, StreamSource.PORT).payloadLength(64).build();
        GenPayloadDescriptor.fillPattern(datagram, PAYLOAD, 64);
        // an unpaced reverse stream of 64-byte datagrams that never ends (no count, a day)
        final UnsafeBuffer request = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        builder.wrap(request, 0).ethernet(GUEST_MAC, GEN_MAC).ipv4(GEN_IP, GUEST_IP).udp(40_001, StreamSource.PORT);
        final int requestLength = StreamRequestDescriptor.write(request, PAYLOAD, StreamRequestDescriptor.START, 0,
            86_400_000_000_000L, 0, new int[] {64});
        sender.onFrame(request, 0, builder.payloadLength(requestLength).build(), metadata);
    }

    /** @return datagrams streamed so far: one duty cycle of an unpaced stream, {@value #SENDER_BATCH} datagrams. */
    @Benchmark
    @OperationsPerInvocation(SENDER_BATCH)
    public long guestStreamsUnpacedDatagram()
    {
        sender.doWork();
        return streamed;
    }

    /** @return reports sent so far: the guest counts one datagram (and runs its duty cycle every 64). */
    @Benchmark
    public long guestCountsOneWayDatagram()
    {
        GenPayloadDescriptor.writeProbe(datagram, PAYLOAD, 64, sequence++, nowNs);
        guest.onFrame(datagram, 0, datagramLength, metadata.set(0, 0, 0));
        if ((sequence & 63) == 0)
        {
            guest.doWork();
        }
        return reported;
    }

    /** @return the highest sequence + 1: one in-order datagram counted, its transit feeding the jitter. */
    @Benchmark
    public long counterInOrder()
    {
        counter.onDatagram(sequence, 64, 20_000 + (sequence++ & 7) * 100);
        return counter.expected();
    }
}

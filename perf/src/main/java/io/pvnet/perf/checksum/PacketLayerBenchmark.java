package io.pvnet.perf.checksum;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.Ipv6ExtensionHeader;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.packet.PacketChecksums;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.checksum.packet.UdpHeader;
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
 * The packet layer's cost and its allocation guard: building frames with {@link FrameBuilder} (UDP/IPv4 with a
 * 64-byte payload, TCP/IPv6 with an MSS option, complete checksums) and reading every header field of a built frame
 * with the descriptors. {@code ./pvnet jmh PacketLayerBenchmark -prof gc}: {@code gc.alloc.rate.norm} must stay ~0 B/op.
 * The builds sum through the Vector API checksum, which allocates until C2 has compiled it, hence 8 warm-up
 * iterations (on a loaded machine the first few still show kilobytes per operation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PacketLayerBenchmark
{
    private static final int IP = EthernetHeader.LENGTH;

    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final UnsafeBuffer frame6 = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final FrameBuilder builder = new FrameBuilder();
    private int identification;

    @Setup
    public void setUp()
    {
        buildUdp4();
        buildTcp6();
    }

    @Benchmark
    public int buildUdp4()
    {
        return builder.wrap(frame, 0)
            .ethernet(0x0200_0000_000BL, 0x0200_0000_000AL)
            .ipv4(0x0A09_0001, 0x0A09_0002).identification(identification++ & 0xFFFF)
            .udp(40000, 7)
            .payloadLength(64)
            .build();
    }

    @Benchmark
    public int buildTcp6()
    {
        return builder.wrap(frame6, 0)
            .ethernet(0x0200_0000_000BL, 0x0200_0000_000AL)
            .ipv6(0xFD00_0009_0000_0000L, 1, 0xFD00_0009_0000_0000L, 2)
            .tcp(40001, 9, 1, 2, TcpHeader.ACK | TcpHeader.PSH, 65535).tcpMss(1460)
            .payloadLength(64)
            .build();
    }

    @Benchmark
    public long readUdp4()
    {
        long acc = EthernetHeader.destination(frame, 0) + EthernetHeader.source(frame, 0) +
            EthernetHeader.etherType(frame, 0);
        acc += Ipv4Header.headerLength(frame, IP) + Ipv4Header.totalLength(frame, IP) +
            Ipv4Header.identification(frame, IP) + Ipv4Header.flagsFragment(frame, IP) + Ipv4Header.ttl(frame, IP) +
            Ipv4Header.protocol(frame, IP) + Ipv4Header.checksum(frame, IP) + Ipv4Header.source(frame, IP) +
            Ipv4Header.destination(frame, IP);
        final int udp = IP + Ipv4Header.MIN_LENGTH;
        return acc + UdpHeader.sourcePort(frame, udp) + UdpHeader.destinationPort(frame, udp) +
            UdpHeader.length(frame, udp) + UdpHeader.checksum(frame, udp);
    }

    @Benchmark
    public long readTcp6()
    {
        final long walk = Ipv6ExtensionHeader.walk(frame6, IP, IP + Ipv6Header.LENGTH +
            Ipv6Header.payloadLength(frame6, IP));
        final int tcp = Ipv6ExtensionHeader.upperLayerOf(walk);
        long acc = Ipv6Header.sourceHi(frame6, IP) ^ Ipv6Header.sourceLo(frame6, IP) ^
            Ipv6Header.destinationHi(frame6, IP) ^ Ipv6Header.destinationLo(frame6, IP);
        acc += Ipv6Header.hopLimit(frame6, IP) + frame6.getByte(Ipv6ExtensionHeader.fieldOf(walk));
        return acc + TcpHeader.sequence(frame6, tcp) + TcpHeader.acknowledgment(frame6, tcp) +
            TcpHeader.flags(frame6, tcp) + TcpHeader.window(frame6, tcp) +
            TcpHeader.findOption(frame6, tcp, TcpHeader.OPTION_MSS);
    }

    @Benchmark
    public int decrementTtl()
    {
        Ipv4Header.ttl(frame, IP, 64);
        PacketChecksums.decrementTtl(frame, IP);
        return Ipv4Header.checksum(frame, IP) + IpProtocol.UDP;
    }
}

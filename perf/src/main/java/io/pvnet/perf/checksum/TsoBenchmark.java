package io.pvnet.perf.checksum;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.offload.GsoSegmenter;
import io.pvnet.checksum.offload.OffloadStatus;
import io.pvnet.checksum.offload.OutputFrames;
import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * TSO of one 64 KiB TCP/IPv4 segment into 1448-byte segments (headers, IPv4 and TCP checksums included), next to
 * the baseline of copying and checksumming the same 64 KiB once: {@code ./pvnet jmh TsoBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TsoBenchmark
{
    private final TsoFixture fixture = new TsoFixture(Checksums.best());

    @Setup(Level.Trial)
    public void setUp()
    {
        fixture.check();
    }

    @Benchmark
    public int tso()
    {
        return fixture.segment();
    }

    @Benchmark
    public int copyAndChecksumOnce()
    {
        return fixture.copyAndChecksumOnce();
    }

    @Benchmark
    public int checksumThenCopy()
    {
        return fixture.checksumThenCopy();
    }

    /** One 64 KiB TCP/IPv4 frame with a blank checksum, and the buffers TSO and the baseline write to. */
    public static final class TsoFixture
    {
        /** The IPv4 total length: the largest there is. */
        public static final int IP_LENGTH = 65535;
        /** MSS for a 1500-byte MTU: 20 bytes of IPv4, 32 of TCP (20 + the 12-byte timestamp option). */
        public static final int MSS = 1448;

        private final InternetChecksum checksum;
        private final UnsafeBuffer frame = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(14 + IP_LENGTH));
        private final UnsafeBuffer out = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(1 << 17));
        private final PacketHeaders headers = new PacketHeaders();
        private final GsoSegmenter segmenter;
        private final OutputFrames frames = new OutputFrames(64);

        public TsoFixture(final InternetChecksum checksum)
        {
            this.checksum = checksum;
            this.segmenter = new GsoSegmenter(checksum);
            final byte[] random = new byte[IP_LENGTH];
            new java.util.SplittableRandom(64).nextBytes(random);
            frame.putBytes(14, random);
            // random addresses, ports and payload; the fields the segmenter reads set explicitly
            final int ip = EthernetHeader.LENGTH;
            final int tcp = ip + Ipv4Header.MIN_LENGTH;
            EthernetHeader.destination(frame, 0, 0x0200_0000_0002L);
            EthernetHeader.source(frame, 0, 0x0200_0000_0001L);
            EthernetHeader.etherType(frame, 0, EthernetHeader.ETHERTYPE_IPV4);
            Ipv4Header.versionAndHeaderLength(frame, ip, Ipv4Header.MIN_LENGTH);
            Ipv4Header.tos(frame, ip, 0);
            Ipv4Header.totalLength(frame, ip, IP_LENGTH);
            Ipv4Header.flagsFragment(frame, ip, Ipv4Header.DONT_FRAGMENT);
            Ipv4Header.ttl(frame, ip, 64);
            Ipv4Header.protocol(frame, ip, IpProtocol.TCP);
            Ipv4Header.checksum(frame, ip, 0);
            TcpHeader.headerLength(frame, tcp, 32); // 20 + timestamps option
            TcpHeader.flags(frame, tcp, TcpHeader.PSH | TcpHeader.ACK);
            frame.putBytes(tcp + TcpHeader.OPTIONS_OFFSET, new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2});
            if (HeaderParser.parse(frame, 0, frame.capacity(), headers) != ParseStatus.OK)
            {
                throw new IllegalStateException("TSO fixture frame does not parse");
            }
        }

        /** @return bytes of input per TSO call (the whole frame). */
        public int inputBytes()
        {
            return frame.capacity();
        }

        /** Fails fast when the fixture does not split as expected. */
        public void check()
        {
            if (segmenter.segment(frame, headers, MSS, out, 0, out.capacity(), frames) != OffloadStatus.SPLIT ||
                frames.count() != 46)
            {
                throw new IllegalStateException("TSO fixture: expected 46 segments, got " + frames.count());
            }
        }

        /** @return the number of segments written. */
        public int segment()
        {
            segmenter.segment(frame, headers, MSS, out, 0, out.capacity(), frames);
            return frames.count();
        }

        /** @return the sum of the frame, then a plain copy of it: the goal's baseline read as two passes. */
        public int checksumThenCopy()
        {
            final int sum = checksum.sum(frame, 0, frame.capacity());
            out.putBytes(0, frame, 0, frame.capacity());
            return sum;
        }

        /** @return the sum of the whole frame copied once in one pass: the strict baseline of the TSO goal. */
        public int copyAndChecksumOnce()
        {
            return checksum.copyAndSum(frame, 0, out, 0, frame.capacity(), 0);
        }
    }
}

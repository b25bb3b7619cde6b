package io.pvnet.perf.checksum;

import io.pvnet.checksum.hash.FlowHash;
import io.pvnet.checksum.hash.ToeplitzHash;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.PacketHeaders;
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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The receive-side-scaling hash per frame, as the backend computes it for a HASH extra and queue steering:
 * {@code flowHash} on a parsed frame (Toeplitz over addresses and TCP ports, table-driven), {@code parseAndHash}
 * with the header parse included, and {@code bitSerial}, netif.h's definition, as the baseline. 1024 TCP frames of
 * distinct flows are cycled so no input is constant. {@code ./pvnet jmh ToeplitzHashBenchmark -prof gc}; ns/op is
 * per frame, and {@code gc.alloc.rate.norm} should read about 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ToeplitzHashBenchmark
{
    private static final int FRAMES = 1024;
    private static final byte[] KEY = new byte[ToeplitzHash.MAX_KEY_BYTES];

    @Param({"ipv4", "ipv6"})
    String family;

    private final UnsafeBuffer[] frames = new UnsafeBuffer[FRAMES];
    private final PacketHeaders[] parsed = new PacketHeaders[FRAMES];
    private final byte[][] tuples = new byte[FRAMES][];
    private final PacketHeaders headers = new PacketHeaders();
    private FlowHash flowHash;
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(16);
        random.nextBytes(KEY);
        final ToeplitzHash toeplitz = new ToeplitzHash();
        toeplitz.key(KEY);
        flowHash = new FlowHash(toeplitz);
        final boolean v6 = "ipv6".equals(family);
        final int addressBytes = v6 ? 16 : 4;
        for (int i = 0; i < FRAMES; i++)
        {
            final ByteBuffer frame = ByteBuffer.allocateDirect(14 + (v6 ? 40 : 20) + 20);
            frame.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short)(v6 ? 0x86DD : 0x0800));
            if (v6)
            {
                frame.putInt(0x60000000).putShort((short)20).put((byte)6).put((byte)64);
            }
            else
            {
                frame.put((byte)0x45).put((byte)0).putShort((short)40).putShort((short)i).putShort((short)0x4000)
                    .put((byte)64).put((byte)6).putShort((short)0);
            }
            final byte[] tuple = new byte[2 * addressBytes + 4];
            random.nextBytes(tuple);
            frame.put(tuple).putInt(1).putInt(0).putShort((short)0x5010).putShort((short)8192).putInt(0);
            frames[i] = new UnsafeBuffer(frame, 0, frame.capacity());
            parsed[i] = new PacketHeaders();
            HeaderParser.parse(frames[i], 0, frames[i].capacity(), parsed[i]);
            tuples[i] = tuple;
        }
    }

    @Benchmark
    public long flowHash()
    {
        final int i = next++ & (FRAMES - 1);
        return flowHash.hash(frames[i], parsed[i], FlowHash.ALL);
    }

    @Benchmark
    public long parseAndHash()
    {
        final int i = next++ & (FRAMES - 1);
        final UnsafeBuffer frame = frames[i];
        HeaderParser.parse(frame, 0, frame.capacity(), headers);
        return flowHash.hash(frame, headers, FlowHash.ALL);
    }

    /** netif.h's bit-serial loop over the same tuple: the baseline the table replaces. */
    @Benchmark
    public int bitSerial()
    {
        final byte[] tuple = tuples[next++ & (FRAMES - 1)];
        return ToeplitzHash.reference(KEY, tuple, tuple.length);
    }
}

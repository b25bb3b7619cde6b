package io.pvnet.engine;

import io.pvnet.checksum.Checksums;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The data path allocates nothing in steady state: frames both ways, offload completion and TSO splitting. The first
 * test uses the scalar long-word checksum, so a fixed warm-up suffices; the second the start-up choice (the Vector API
 * variant), which allocates boxes only until C2 has compiled it (measured over VifPipeline: about 8,000 TSO frames,
 * under 2 s, then 0 bytes per segment), so it warms up until the allocation stops.
 */
class VifAllocationTest
{
    private static final FrameHandler DISCARD = (buffer, offset, length, flags, gsoSize) -> { };

    @Test
    void shouldNotAllocatePerFrameInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (VifPair pair = new VifPair(VifConfig.of(1, 0), VifConfig.of(2, 0).withOffloads(false, false, false),
            new ChecksumFrameOffload(Checksums.longWord())))
        {
            pair.pump(3);
            assertTrue(pair.connected());
            final UnsafeBuffer small = VifOffloadTest.partialTcpFrame(64, 1);
            final UnsafeBuffer large = VifOffloadTest.partialTcpFrame(20000, 1);
            run(pair, small, large, Integer.getInteger("pvnet.alloc.warmup", 20_000));
            final long threadId = Thread.currentThread().threadId();
            final long before = threads.getThreadAllocatedBytes(threadId);
            final long frames = run(pair, small, large, 20_000);
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
            assertTrue(frames > 20_000, "frames=" + frames);
            assertTrue(allocated < 4096, "allocated " + allocated + " bytes for " + frames + " frames");
        }
    }

    /**
     * The same with the checksum chosen at start-up (the Vector API variant here): it allocates boxes only until C2 has
     * compiled it, so the test warms up in intervals until two in a row allocate nothing (at most
     * {@code pvnet.alloc.vectorIntervals}, default 40, of 20,000 rounds each) and fails if that never happens.
     */
    @Test
    void shouldNotAllocatePerFrameOnceTheStartUpChecksumIsCompiled()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (VifPair pair = new VifPair(VifConfig.of(1, 0), VifConfig.of(2, 0).withOffloads(false, false, false),
            new ChecksumFrameOffload(Checksums.best())))
        {
            pair.pump(3);
            assertTrue(pair.connected());
            final UnsafeBuffer small = VifOffloadTest.partialTcpFrame(64, 1);
            final UnsafeBuffer large = VifOffloadTest.partialTcpFrame(20000, 1);
            final long threadId = Thread.currentThread().threadId();
            final int intervals = Integer.getInteger("pvnet.alloc.vectorIntervals", 40);
            int clean = 0;
            long allocated = -1;
            long frames = 0;
            for (int i = 0; i < intervals && clean < 2; i++)
            {
                final long before = threads.getThreadAllocatedBytes(threadId);
                frames = run(pair, small, large, 20_000);
                allocated = threads.getThreadAllocatedBytes(threadId) - before;
                clean = allocated < 4096 ? clean + 1 : 0;
            }
            assertTrue(frames > 20_000, "frames=" + frames);
            assertEquals(2, clean, "still allocating after " + intervals + " intervals with " +
                Checksums.best().name() + ": last interval " + allocated + " bytes for " + frames + " frames");
        }
    }

    private static long run(final VifPair pair, final UnsafeBuffer small, final UnsafeBuffer large, final int rounds)
    {
        long frames = 0;
        for (int i = 0; i < rounds; i++)
        {
            pair.frontends[0].transmit(small, 0, 64, FrameFlags.CSUM_PARTIAL, 0, 0);
            if ((i & 63) == 0)
            {
                pair.frontends[0].transmit(large, 0, 20000, FrameFlags.CSUM_PARTIAL, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
            }
            pair.frontends[0].transmit(small, 0, 64, 0, 0, 0);
            pair.frontends[0].flush();
            pair.frontends[0].doWork();
            pair.backends[0].doWork();
            pair.backends[1].doWork();
            pair.frontends[1].doWork();
            frames += pair.frontends[1].poll(DISCARD, 256);
        }
        return frames;
    }
}

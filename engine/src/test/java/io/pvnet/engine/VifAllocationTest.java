package io.pvnet.engine;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
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
    /** Reused for every frame handed in, as the data path does (so the allocation checks see none). */
    private static final FrameMetadata METADATA = new FrameMetadata();

    private static final FrameHandler DISCARD = (buffer, offset, length, metadata) -> { };

    @Test
    void shouldNotAllocatePerFrameInSteadyState()
    {
        try (VifPair pair = connectedPair(Checksums.longWord()))
        {
            run(pair, SMALL, LARGE, Integer.getInteger("pvnet.alloc.warmup", 20_000));
            final long allocated = allocatedByInterval(pair);
            assertTrue(intervalFrames > 20_000, "frames=" + intervalFrames);
            assertTrue(allocated < 4096, "allocated " + allocated + " bytes for " + intervalFrames + " frames");
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
        try (VifPair pair = connectedPair(Checksums.best()))
        {
            final int intervals = Integer.getInteger("pvnet.alloc.vectorIntervals", 40);
            int clean = 0;
            long allocated = -1;
            for (int i = 0; i < intervals && clean < 2; i++)
            {
                allocated = allocatedByInterval(pair);
                clean = allocated < 4096 ? clean + 1 : 0;
            }
            assertTrue(intervalFrames > 20_000, "frames=" + intervalFrames);
            assertEquals(2, clean, "still allocating after " + intervals + " intervals with " +
                Checksums.best().name() + ": last interval " + allocated + " bytes for " + intervalFrames + " frames");
        }
    }

    private static final UnsafeBuffer SMALL = VifOffloadTest.partialTcpFrame(64, 1);
    private static final UnsafeBuffer LARGE = VifOffloadTest.partialTcpFrame(20000, 1);
    private long intervalFrames;

    private static VifPair connectedPair(final InternetChecksum checksum)
    {
        final VifPair pair = new VifPair(VifConfig.of(1, 0), VifConfig.of(2, 0).withOffloads(false, false, false),
            new ChecksumFrameOffload(checksum));
        pair.pump(3);
        assertTrue(pair.connected());
        return pair;
    }

    /** @return bytes this thread allocated during 20,000 rounds; the frames received go to {@link #intervalFrames}. */
    private long allocatedByInterval(final VifPair pair)
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        intervalFrames = run(pair, SMALL, LARGE, 20_000);
        return threads.getThreadAllocatedBytes(threadId) - before;
    }

    private static long run(final VifPair pair, final UnsafeBuffer small, final UnsafeBuffer large, final int rounds)
    {
        long frames = 0;
        for (int i = 0; i < rounds; i++)
        {
            pair.frontends[0].transmit(small, 0, 64, METADATA.set(FrameFlags.CSUM_PARTIAL, 0, 0));
            if ((i & 63) == 0)
            {
                pair.frontends[0].transmit(large, 0, 20000, METADATA.set(FrameFlags.CSUM_PARTIAL, 1448,
                    XEN_NETIF_GSO_TYPE_TCPV4));
            }
            pair.frontends[0].transmit(small, 0, 64);
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

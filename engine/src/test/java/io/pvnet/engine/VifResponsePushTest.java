package io.pvnet.engine;

import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.ring.region.Region;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A backend publishes its responses at the latest after 64 KiB of packets, not only at the end of a batch: a guest
 * sending large frames gets its tx buffers back, and the receiving guest its frames (and so room to post buffers),
 * while the backend is still working through the batch.
 */
class VifResponsePushTest
{
    private static final int FRAME = 40_000;
    private static final int PAGES_PER_FRAME = (FRAME + 4095) / 4096;

    private final Region region = Region.createAnonymous(VifRegion.regionBytes(2));
    private final VifBackend[] backends = new VifBackend[2];
    private final VifFrontend[] frontends = new VifFrontend[2];
    /** Observed by the sending backend's sink as each frame arrives, before it is forwarded. */
    private final List<Integer> txOutstanding = new ArrayList<>();
    private final List<Integer> receivedSoFar = new ArrayList<>();
    private int received;

    @AfterEach
    void tearDown()
    {
        region.close();
    }

    @Test
    void shouldPublishTxAndRxResponsesWithinABatchOfLargeFrames()
    {
        final VifRegion vifRegion = VifRegion.create(region);
        final VifConfig a = VifConfig.of(1, 0).withMtu(65535);
        final VifConfig b = VifConfig.of(2, 0).withMtu(65535);
        final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
        final FrameSink toB = cable.ingress(0);
        final FrameHandler counting = (buffer, offset, length, metadata) -> received++;
        final FrameSink observing = (buffer, offset, length, metadata) ->
        {
            // what each guest can see at this moment, from the guest side of the shared rings
            frontends[0].doWork();
            txOutstanding.add(frontends[0].txOutstanding());
            frontends[1].poll(counting, 256);
            receivedSoFar.add(received);
            return toB.onFrame(buffer, offset, length, metadata);
        };
        backends[0] = cable.plug(0, VifBackend.create(vifRegion, a, observing, NoFrameOffload.INSTANCE));
        backends[1] = cable.plug(1, VifBackend.create(vifRegion, b, cable.ingress(1), NoFrameOffload.INSTANCE));
        frontends[0] = VifFrontend.create(vifRegion, a, backends[0].counters(), NoFrameOffload.INSTANCE);
        frontends[1] = VifFrontend.create(vifRegion, b, backends[1].counters(), NoFrameOffload.INSTANCE);
        for (int i = 0; i < 5; i++)
        {
            pumpAll();
        }
        assertTrue(frontends[0].isConnected() && frontends[1].isConnected(), "connected");
        // the receiving backend delivers straight from the crossover only once it ran on this thread
        backends[1].doWork();

        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME]);
        frame.putLong(0, 0x0016_3E00_0200_0016L);
        for (int i = 0; i < 4; i++)
        {
            assertEquals(VifFrontend.OK, frontends[0].transmit(frame, 0, FRAME));
        }
        frontends[0].flush();
        backends[0].doWork();

        // two 40000-byte frames pass 64 KiB: their responses are out before the third is handed on
        assertEquals(List.of(4 * PAGES_PER_FRAME, 4 * PAGES_PER_FRAME, 2 * PAGES_PER_FRAME, 2 * PAGES_PER_FRAME),
            txOutstanding, "tx ids still waiting, seen by the sender as each frame is forwarded");
        assertEquals(List.of(0, 0, 2, 2), receivedSoFar, "frames the receiver could take as each frame is forwarded");

        pumpAll();
        assertEquals(4, received);
        assertEquals(0, frontends[0].txOutstanding());
        assertEquals(0, backends[0].counters().totalDrops() + backends[1].counters().totalDrops());
    }

    private void pumpAll()
    {
        for (int v = 0; v < 2; v++)
        {
            frontends[v].doWork();
            backends[v].doWork();
        }
        frontends[1].poll((DirectBuffer buffer, int offset, int length, FrameMetadata metadata) -> received++, 256);
    }
}

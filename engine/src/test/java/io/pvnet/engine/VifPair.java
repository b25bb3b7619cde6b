package io.pvnet.engine;

import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.ring.region.Region;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Test fixture: two vifs in one anonymous region, their backends joined by a crossover, both frontends in this thread.
 * Frames received by each frontend are copied into {@link Received}.
 */
final class VifPair implements AutoCloseable
{
    final Region region = Region.createAnonymous(VifRegion.regionBytes(2));
    final VifRegion vifRegion = VifRegion.create(region);
    final VifBackend[] backends = new VifBackend[2];
    final VifFrontend[] frontends = new VifFrontend[2];
    /** The cable between the two backends: its port counters hold the reasons a receiving vif refused a frame. */
    final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
    final Received[] received = {new Received(), new Received()};

    VifPair(final VifConfig a, final VifConfig b, final FrameOffload offload)
    {
        backends[0] = cable.plug(0, VifBackend.create(vifRegion, a, cable.ingress(0), offload));
        backends[1] = cable.plug(1, VifBackend.create(vifRegion, b, cable.ingress(1), offload));
        frontends[0] = VifFrontend.create(vifRegion, a, backends[0].counters(), offload);
        frontends[1] = VifFrontend.create(vifRegion, b, backends[1].counters(), offload);
    }

    /** Runs every agent {@code rounds} times and polls both frontends. */
    void pump(final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            for (int v = 0; v < 2; v++)
            {
                frontends[v].doWork();
                backends[v].doWork();
            }
            for (int v = 0; v < 2; v++)
            {
                frontends[v].poll(received[v], 256);
            }
        }
    }

    boolean connected()
    {
        return backends[0].isConnected() && backends[1].isConnected() && frontends[0].isConnected() &&
            frontends[1].isConnected();
    }

    @Override
    public void close()
    {
        region.close();
    }

    static UnsafeBuffer frame(final int length, final int seed)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(length, 1)));
        for (int i = 0; i < length; i++)
        {
            frame.putByte(i, (byte)(seed * 31 + i * 7));
        }
        return frame;
    }

    static final class Received implements FrameHandler
    {
        final java.util.List<byte[]> frames = new java.util.ArrayList<>();
        final java.util.List<Integer> flags = new java.util.ArrayList<>();
        final java.util.List<Integer> gso = new java.util.ArrayList<>();
        final java.util.List<Integer> gsoType = new java.util.ArrayList<>();

        @Override
        public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            frames.add(bytes);
            flags.add(metadata.flags());
            gso.add(metadata.gsoSize());
            gsoType.add(metadata.gsoType());
        }

        void clear()
        {
            frames.clear();
            flags.clear();
            gso.clear();
            gsoType.clear();
        }
    }
}

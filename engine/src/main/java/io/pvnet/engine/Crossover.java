package io.pvnet.engine;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import org.agrona.DirectBuffer;

/**
 * A crossover cable between two vif backends: what one guest transmits is offered to the other guest, with no switch
 * in between (a point-to-point link, as a veth pair). The {@code vif} bench scenarios and vif benchmarks measure a vif
 * pair through it, and the vif tests use it. Install with {@link #sinkTo(VifBackend[], int)} before the backends are
 * created, or use {@link Link} directly. Called on the sending backend's agent thread.
 */
public final class Crossover
{
    private Crossover()
    {
    }

    /** A sink that offers every frame to the backend in {@code target[index]} (set once both exist). */
    public static FrameSink sinkTo(final VifBackend[] target, final int index)
    {
        return new Link(target, index);
    }

    /** The sink half of a crossover: forwards to a backend that may be created after this sink. */
    public static final class Link implements FrameSink
    {
        private final VifBackend[] target;
        private final int index;

        Link(final VifBackend[] target, final int index)
        {
            this.target = target;
            this.index = index;
        }

        @Override
        public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            final VifBackend peer = target[index];
            return peer == null ? io.pvnet.engine.vif.DropReason.NOT_CONNECTED :
                peer.offer(buffer, offset, length, metadata);
        }
    }
}

package io.pvnet.engine.port;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import org.agrona.DirectBuffer;

/**
 * One port's way into a fabric that serves many ports (the bridge, the router): a {@link FrameSink} that hands each
 * frame on with the port's index. Called on the fabric's thread; allocates nothing.
 */
public final class PortIngress implements FrameSink
{
    /** The fabric side: takes a frame that arrived on port {@code port}. */
    public interface Fabric
    {
        /**
         * Takes a frame that arrived on a port.
         *
         * @param port     the port's index in the fabric.
         * @param buffer   holds the frame.
         * @param offset   where the frame starts.
         * @param length   bytes in the frame.
         * @param metadata the frame's metadata: the port's, valid during the call only.
         * @return 0 when taken, else a drop code.
         */
        int onIngress(int port, DirectBuffer buffer, int offset, int length, FrameMetadata metadata);
    }

    private final Fabric fabric;
    private final int port;

    public PortIngress(final Fabric fabric, final int port)
    {
        this.fabric = fabric;
        this.port = port;
    }

    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        return fabric.onIngress(port, buffer, offset, length, metadata);
    }
}

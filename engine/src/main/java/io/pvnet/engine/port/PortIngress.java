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
         * {@return 0 when taken, else a drop code}
         *
         * @param port     the index of the port the frame arrived on.
         * @param buffer   the frame, valid only during the call.
         * @param offset   where the frame's Ethernet header starts in {@code buffer}.
         * @param length   the frame's length in bytes.
         * @param metadata the frame's metadata: the port's reused flyweight, valid only during the call.
         */
        int onIngress(int port, DirectBuffer buffer, int offset, int length, FrameMetadata metadata);
    }

    private final Fabric fabric;
    private final int port;

    /**
     * The ingress of one port.
     *
     * @param fabric the fabric every frame is handed to.
     * @param port   the port's index in the fabric, passed with each frame.
     */
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

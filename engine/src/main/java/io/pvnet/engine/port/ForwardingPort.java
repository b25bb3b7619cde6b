package io.pvnet.engine.port;

import io.pvnet.engine.frame.FrameMetadata;
import org.agrona.DirectBuffer;

/**
 * A port that wraps another: name, offloads and MTU are the wrapped port's, and {@link #onFrame} hands the frame on.
 * Subclasses override {@code onFrame} to do something first (capture it, stamp it) and then call {@code super.onFrame}.
 * Same thread contract as the wrapped port.
 */
public abstract class ForwardingPort implements Port
{
    private final Port port;

    /**
     * Wraps a port.
     *
     * @param port the port every call is forwarded to.
     */
    protected ForwardingPort(final Port port)
    {
        this.port = port;
    }

    @Override
    public String name()
    {
        return port.name();
    }

    @Override
    public int offloads()
    {
        return port.offloads();
    }

    @Override
    public int mtu()
    {
        return port.mtu();
    }

    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        return port.onFrame(buffer, offset, length, metadata);
    }
}

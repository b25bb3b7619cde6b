package io.pvnet.engine.port;

import io.pvnet.engine.frame.FrameMetadata;
import org.agrona.DirectBuffer;

/** A {@link TestResponder} as a bridge port: frames the bridge sends are answered into the bridge. Test code. */
public final class ResponderPort implements Port
{
    private final TestResponder responder;
    private final int offloads;

    public ResponderPort(final TestResponder responder, final int offloads)
    {
        this.responder = responder;
        this.offloads = offloads;
    }

    @Override
    public String name()
    {
        return "responder";
    }

    @Override
    public int offloads()
    {
        return offloads;
    }

    @Override
    public int mtu()
    {
        return 65535;
    }

    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        return responder.onFrame(buffer, offset, length, metadata);
    }
}

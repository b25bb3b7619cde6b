package io.pvnet.engine.port.pcap;

import io.pvnet.engine.port.ForwardingPort;
import io.pvnet.engine.port.Port;
import org.agrona.DirectBuffer;

/**
 * A port whose egress is captured: hands each frame the bridge sends to a {@link PcapPort} first, then to the port.
 * Together with a {@link CaptureTee} on the port's ingress, the capture holds both directions. Same thread contract as
 * the wrapped port (the bridge thread).
 */
public final class CapturedPort extends ForwardingPort
{
    private final PcapPort capture;

    public CapturedPort(final Port port, final PcapPort capture)
    {
        super(port);
        this.capture = capture;
    }

    @Override
    public int onFrame(
        final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType)
    {
        capture.onFrame(buffer, offset, length, flags, gsoSize, gsoType);
        return super.onFrame(buffer, offset, length, flags, gsoSize, gsoType);
    }
}

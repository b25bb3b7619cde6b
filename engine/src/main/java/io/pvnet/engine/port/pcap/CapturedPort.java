package io.pvnet.engine.port.pcap;

import io.pvnet.engine.port.Port;
import org.agrona.DirectBuffer;

/**
 * A port whose egress is captured: hands each frame the bridge sends to a {@link PcapPort} first, then to the port.
 * Together with a {@link CaptureTee} on the port's ingress, the capture holds both directions. Same thread contract as
 * the wrapped port (the bridge thread).
 */
public final class CapturedPort implements Port
{
    private final Port port;
    private final PcapPort capture;

    public CapturedPort(final Port port, final PcapPort capture)
    {
        this.port = port;
        this.capture = capture;
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
    public int onFrame(
        final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType)
    {
        capture.onFrame(buffer, offset, length, flags, gsoSize, gsoType);
        return port.onFrame(buffer, offset, length, flags, gsoSize, gsoType);
    }
}

package io.pvnet.engine.port.pcap;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.port.ForwardingPort;
import io.pvnet.engine.port.Port;
import org.agrona.DirectBuffer;

/**
 * A port whose egress is captured: hands each frame the bridge sends to a {@link PcapPort} first (recorded as
 * <em>outbound</em> on the port's interface), then to the port.
 * Together with a {@link CaptureTee} on the port's ingress, the capture holds both directions. Same thread contract as
 * the wrapped port (the bridge thread).
 */
public final class CapturedPort extends ForwardingPort
{
    private final PcapPort capture;
    private final int interfaceId;

    /**
     * Records into the capture's first interface (interface 0).
     *
     * @param port    the port whose egress is captured; frames go on to it unchanged.
     * @param capture the capture that records them, shared with the {@link CaptureTee} on the port's ingress.
     */
    public CapturedPort(final Port port, final PcapPort capture)
    {
        this(port, capture, 0);
    }

    /**
     * Records into one interface of a capture that holds several ports.
     *
     * @param port        the port whose egress is captured; frames go on to it unchanged.
     * @param capture     the capture that records them.
     * @param interfaceId the port's interface in the capture ({@link PcapPort#addInterface}).
     */
    public CapturedPort(final Port port, final PcapPort capture, final int interfaceId)
    {
        super(port);
        this.capture = capture;
        this.interfaceId = interfaceId;
    }

    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        capture.capture(interfaceId, io.pvnet.checksum.pcap.PcapngWriter.DIRECTION_OUTBOUND, buffer, offset, length);
        return super.onFrame(buffer, offset, length, metadata);
    }
}

package io.pvnet.engine.port.pcap;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import org.agrona.DirectBuffer;

/**
 * Captures what flows into a {@link FrameSink}: hands each frame to a {@link PcapPort} first, then to the sink, and
 * returns the sink's answer (a capture failure never drops the frame itself). Wrap the sink a vif backend delivers to,
 * or a port's ingress, to capture it: recorded as <em>inbound</em> on the port's interface. Same thread contract as
 * the wrapped sink; the capture port's agent runs on that thread.
 */
public final class CaptureTee implements FrameSink
{
    private final PcapPort capture;
    private final int interfaceId;
    private final int direction;
    private final FrameSink next;

    /**
     * Records into the capture's first interface (interface 0), inbound.
     *
     * @param capture the capture that records each frame.
     * @param next    the sink every frame goes on to, captured or not.
     */
    public CaptureTee(final PcapPort capture, final FrameSink next)
    {
        this(capture, 0, io.pvnet.checksum.pcap.PcapngWriter.DIRECTION_INBOUND, next);
    }

    /**
     * Records into one interface of a capture, in the given direction.
     *
     * @param capture     the capture that records each frame.
     * @param interfaceId the port's interface in the capture ({@link PcapPort#addInterface}).
     * @param direction   the direction recorded, usually {@code PcapngWriter.DIRECTION_INBOUND}.
     * @param next        the sink every frame goes on to, captured or not.
     */
    public CaptureTee(final PcapPort capture, final int interfaceId, final int direction, final FrameSink next)
    {
        this.capture = capture;
        this.interfaceId = interfaceId;
        this.direction = direction;
        this.next = next;
    }

    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        capture.capture(interfaceId, direction, buffer, offset, length);
        return next.onFrame(buffer, offset, length, metadata);
    }
}

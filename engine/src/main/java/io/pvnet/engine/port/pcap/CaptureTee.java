package io.pvnet.engine.port.pcap;

import io.pvnet.engine.frame.FrameSink;
import org.agrona.DirectBuffer;

/**
 * Captures what flows into a {@link FrameSink}: hands each frame to a {@link PcapPort} first, then to the sink, and
 * returns the sink's answer (a capture failure never drops the frame itself). Wrap the sink a vif backend delivers to,
 * or a port, to capture it. Same thread contract as the wrapped sink; the capture port's agent runs on that thread.
 */
public final class CaptureTee implements FrameSink
{
    private final PcapPort capture;
    private final FrameSink next;

    public CaptureTee(final PcapPort capture, final FrameSink next)
    {
        this.capture = capture;
        this.next = next;
    }

    @Override
    public int onFrame(
        final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType)
    {
        capture.onFrame(buffer, offset, length, flags, gsoSize, gsoType);
        return next.onFrame(buffer, offset, length, flags, gsoSize, gsoType);
    }
}

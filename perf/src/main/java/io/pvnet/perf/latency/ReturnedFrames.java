package io.pvnet.perf.latency;

import io.pvnet.engine.FrameHandler;
import org.agrona.DirectBuffer;

import static io.pvnet.perf.latency.StampedFrameDescriptor.INTENDED_SEND_OFFSET;
import static io.pvnet.perf.latency.StampedFrameDescriptor.MID_PATH_OFFSET;
import static io.pvnet.perf.latency.StampedFrameDescriptor.SEND_OFFSET;
import static io.pvnet.perf.latency.StampedFrameDescriptor.STAMP_ORDER;

/**
 * The sending guest's receive handler on the vif paths: hands each returned {@link StampedFrameDescriptor} frame's
 * stamps to the sender, ignoring anything else. Sender thread only; allocation-free.
 */
final class ReturnedFrames implements FrameHandler
{
    private final long[] stamps = new long[1];
    private LatencyPath.FrameReceiver receiver;

    /** @return this handler, passing frames to {@code receiver} until the next call. */
    ReturnedFrames to(final LatencyPath.FrameReceiver receiver)
    {
        this.receiver = receiver;
        return this;
    }

    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize)
    {
        if (!StampedFrameDescriptor.isStamped(buffer, offset, length))
        {
            return;
        }
        stamps[0] = buffer.getLong(offset + MID_PATH_OFFSET, STAMP_ORDER);
        receiver.onFrame(buffer.getLong(offset + INTENDED_SEND_OFFSET, STAMP_ORDER),
            buffer.getLong(offset + SEND_OFFSET, STAMP_ORDER), stamps);
    }
}

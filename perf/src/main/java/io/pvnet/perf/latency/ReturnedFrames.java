package io.pvnet.perf.latency;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameHandler;
import org.agrona.DirectBuffer;

import static io.pvnet.perf.latency.StampedFrameDescriptor.INTENDED_SEND_OFFSET;
import static io.pvnet.perf.latency.StampedFrameDescriptor.MID_PATH_OFFSET;
import static io.pvnet.perf.latency.StampedFrameDescriptor.SEND_OFFSET;
import static io.pvnet.perf.latency.StampedFrameDescriptor.STAMP_ORDER;

/**
 * The sending guest's receive handler on the vif paths: hands each returned {@link StampedFrameDescriptor} frame's
 * stamps to the sender, ignoring anything else. By default the one inner stamp is the frame's mid-path time; a path
 * that keeps more stamps aside fills them in with a {@link StageStamps}. Sender thread only; allocation-free.
 */
final class ReturnedFrames implements FrameHandler
{
    /** Fills in the inner stage stamps of a returned frame. */
    @FunctionalInterface
    interface StageStamps
    {
        /**
         * @param buffer the frame's buffer.
         * @param offset where the frame starts.
         * @param sendNs its send time.
         * @param midNs  its mid-path time (byte 30).
         * @param stamps to fill, one per inner stage boundary.
         */
        void fill(DirectBuffer buffer, int offset, long sendNs, long midNs, long[] stamps);
    }

    private final long[] stamps;
    private final StageStamps stageStamps;
    private LatencyPath.FrameReceiver receiver;

    /** Passes the mid-path time as the one inner stamp. */
    ReturnedFrames()
    {
        this(1, (buffer, offset, sendNs, midNs, stamps) -> stamps[0] = midNs);
    }

    /**
     * @param innerStamps how many inner stamps the path has ({@code stageNames().length - 1}).
     * @param stageStamps fills them in.
     */
    ReturnedFrames(final int innerStamps, final StageStamps stageStamps)
    {
        this.stamps = new long[innerStamps];
        this.stageStamps = stageStamps;
    }

    /** @return this handler, passing frames to {@code receiver} until the next call. */
    ReturnedFrames to(final LatencyPath.FrameReceiver receiver)
    {
        this.receiver = receiver;
        return this;
    }

    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        if (!StampedFrameDescriptor.isStamped(buffer, offset, length))
        {
            return;
        }
        final long sendNs = buffer.getLong(offset + SEND_OFFSET, STAMP_ORDER);
        stageStamps.fill(buffer, offset, sendNs, buffer.getLong(offset + MID_PATH_OFFSET, STAMP_ORDER), stamps);
        receiver.onFrame(buffer.getLong(offset + INTENDED_SEND_OFFSET, STAMP_ORDER), sendNs, stamps);
    }
}

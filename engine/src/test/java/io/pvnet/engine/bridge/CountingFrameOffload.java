package io.pvnet.engine.bridge;

import io.pvnet.checksum.offload.OutputFrames;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.offload.FrameOffload;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/** The checksum module's frame offload, counting the bridge's {@link #finish} calls (test code). */
final class CountingFrameOffload implements FrameOffload
{
    private final ChecksumFrameOffload offload;
    int calls;

    CountingFrameOffload()
    {
        this(new ChecksumFrameOffload());
    }

    CountingFrameOffload(final ChecksumFrameOffload offload)
    {
        this.offload = offload;
    }

    @Override
    public int completeChecksum(final MutableDirectBuffer frame, final int offset, final int length)
    {
        return offload.completeChecksum(frame, offset, length);
    }

    @Override
    public int segment(
        final DirectBuffer frame, final int offset, final int length, final int mss, final MutableDirectBuffer scratch,
        final SegmentSink sink)
    {
        return offload.segment(frame, offset, length, mss, scratch, sink);
    }

    @Override
    public int finish(
        final DirectBuffer frame, final int offset, final int length, final boolean checksumPartial, final int gsoSize,
        final int mtu, final MutableDirectBuffer out, final OutputFrames frames)
    {
        calls++;
        return offload.finish(frame, offset, length, checksumPartial, gsoSize, mtu, out, frames);
    }
}

package io.pvnet.engine.offload;

import io.pvnet.checksum.offload.OutputFrames;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/** A {@link FrameOffload} that can do nothing: every request is {@link #UNSUPPORTED} (counted as a drop by the caller). */
public final class NoFrameOffload implements FrameOffload
{
    /** The shared instance; stateless. */
    public static final NoFrameOffload INSTANCE = new NoFrameOffload();

    private NoFrameOffload()
    {
    }

    @Override
    public int completeChecksum(final MutableDirectBuffer frame, final int offset, final int length)
    {
        return UNSUPPORTED;
    }

    @Override
    public int segment(
        final DirectBuffer frame, final int offset, final int length, final int mss, final MutableDirectBuffer scratch,
        final SegmentSink sink)
    {
        return UNSUPPORTED;
    }

    @Override
    public int finish(
        final DirectBuffer frame, final int offset, final int length, final boolean checksumPartial, final int gsoSize,
        final int mtu, final MutableDirectBuffer out, final OutputFrames frames)
    {
        frames.clear();
        return UNSUPPORTED;
    }
}

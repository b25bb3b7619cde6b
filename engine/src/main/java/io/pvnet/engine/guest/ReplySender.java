package io.pvnet.engine.guest;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import org.agrona.DirectBuffer;

/**
 * Hands the guest stack's frames to its sink and counts what the sink took and refused. Single-threaded, like the
 * stack that owns it.
 */
final class ReplySender
{
    private final FrameSink out;
    /** Describes every reply: complete sums, no GSO (the stack's thread only). */
    private final FrameMetadata metadata = new FrameMetadata();
    private long sent;
    private long failures;

    ReplySender(final FrameSink out)
    {
        this.out = out;
    }

    /** Sends {@code frame[0, length)}. */
    void send(final DirectBuffer frame, final int length)
    {
        if (out.onFrame(frame, 0, length, metadata.set(0, 0, 0)) == 0)
        {
            sent++;
        }
        else
        {
            failures++;
        }
    }

    long sent()
    {
        return sent;
    }

    long failures()
    {
        return failures;
    }
}

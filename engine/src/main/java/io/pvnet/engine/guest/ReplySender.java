package io.pvnet.engine.guest;

import io.pvnet.engine.FrameSink;
import org.agrona.DirectBuffer;

/**
 * Hands the guest stack's frames to its sink and counts what the sink took and refused. Single-threaded, like the
 * stack that owns it.
 */
final class ReplySender
{
    private final FrameSink out;
    private long sent;
    private long failures;

    ReplySender(final FrameSink out)
    {
        this.out = out;
    }

    /** Sends {@code frame[0, length)}. */
    void send(final DirectBuffer frame, final int length)
    {
        if (out.onFrame(frame, 0, length, 0, 0, 0) == 0)
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

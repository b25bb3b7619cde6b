package io.pvnet.perf.latency;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A guest that sends every {@link StampedFrameDescriptor} frame it receives back where it came from: it swaps the two
 * MAC addresses, stamps the mid-path time (byte 30) and transmits the frame on the same netfront. Guest B of the
 * {@code switch} path, and the guest process of {@code vif-xproc} ({@link XprocEchoGuestMain}).
 * <p>
 * Threading: one thread calls {@link #step()}; allocation-free after construction.
 */
final class EchoGuest implements FrameHandler
{
    private static final int POLL_LIMIT = 64;

    private final VifFrontend frontend;
    private final UnsafeBuffer echo = new UnsafeBuffer(ByteBuffer.allocateDirect(VifConfig.MAX_MTU));
    private int pendingLength;
    private long echoed;

    EchoGuest(final VifFrontend frontend)
    {
        this.frontend = frontend;
    }

    /**
     * Runs the netfront, echoes what arrived (one frame at a time, holding one back while the tx ring is full) and
     * pushes the echoes.
     *
     * @return frames echoed.
     */
    int step()
    {
        frontend.doWork();
        final long before = echoed;
        if (pendingLength == 0 || retry())
        {
            for (int i = 0; i < POLL_LIMIT && pendingLength == 0 && frontend.poll(this, 1) > 0; i++)
            {
                // the handler transmitted it, or kept it pending
            }
        }
        frontend.flush();
        return (int)(echoed - before);
    }

    /** @return frames echoed so far. */
    long echoed()
    {
        return echoed;
    }

    /** @return whether the held-back echo went out (or there was none). */
    private boolean retry()
    {
        if (frontend.transmit(echo, 0, pendingLength) != VifFrontend.OK)
        {
            return false;
        }
        pendingLength = 0;
        echoed++;
        return true;
    }

    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        if (!StampedFrameDescriptor.isStamped(buffer, offset, length) || length > echo.capacity())
        {
            return;
        }
        echo.putBytes(0, buffer, offset, length);
        // back to the sender: destination and source swapped
        echo.putBytes(0, buffer, offset + 6, 6);
        echo.putBytes(6, buffer, offset, 6);
        echo.putLong(StampedFrameDescriptor.MID_PATH_OFFSET, System.nanoTime(), StampedFrameDescriptor.STAMP_ORDER);
        if (frontend.transmit(echo, 0, length) != VifFrontend.OK)
        {
            // the tx ring is full: keep the frame and poll no more until it went out
            pendingLength = length;
            return;
        }
        echoed++;
    }
}

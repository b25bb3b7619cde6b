package io.pvnet.engine.frame;

import org.agrona.DirectBuffer;

/**
 * Receives the frames a vif frontend got from its backend. Zero-copy: valid only during the call. Called on the thread
 * that polls the frontend.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * Takes one received Ethernet frame.
     *
     * @param buffer  holds the frame, read in place in the guest's granted page (or a gathered copy of a multi-slot
     *                frame).
     * @param offset  where the frame's Ethernet header starts in {@code buffer}.
     * @param length  the frame's length in bytes.
     * @param flags   {@link FrameFlags}: CSUM_PARTIAL when the backend left the checksum to the guest.
     * @param gsoSize MSS when the backend passed a GSO frame, else 0.
     */
    void onFrame(DirectBuffer buffer, int offset, int length, int flags, int gsoSize);
}

package io.pvnet.engine.frame;

import org.agrona.DirectBuffer;

/**
 * Receives the frames a vif frontend got from its backend. Zero-copy: the bytes and the {@link FrameMetadata} are
 * valid only during the call (the frontend reuses both for its next frame; a handler that keeps a frame copies them).
 * Called on the thread that polls the frontend.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * Takes one received Ethernet frame.
     *
     * @param buffer   holds the frame, read in place in the guest's granted page (or a gathered copy of a multi-slot
     *                 frame).
     * @param offset   where the frame's Ethernet header starts in {@code buffer}.
     * @param length   the frame's length in bytes.
     * @param metadata {@link FrameFlags} ({@code CSUM_PARTIAL} when the backend left the checksum to the guest,
     *                 {@code DATA_VALIDATED}), GSO size and type when the backend passed a GSO frame, the receive
     *                 hash when the backend sent one (the frontend's reused flyweight: read it during the call only).
     */
    void onFrame(DirectBuffer buffer, int offset, int length, FrameMetadata metadata);
}

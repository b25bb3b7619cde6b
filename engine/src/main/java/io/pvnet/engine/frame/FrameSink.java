package io.pvnet.engine.frame;

import org.agrona.DirectBuffer;

/**
 * Where a vif backend hands the frames its guest transmitted (the next hop: a crossover, a bridge, a port).
 * Zero-copy: the frame's bytes and its {@link FrameMetadata} are valid only during the call; both belong to the
 * caller, which reuses them for its next frame, so a sink that keeps a frame copies the bytes and the metadata's
 * values (never the instance). A sink must not change the metadata. Called on the backend agent's (or the fabric's)
 * thread; must not block or throw.
 */
@FunctionalInterface
public interface FrameSink
{
    /**
     * Takes one Ethernet frame.
     *
     * @param buffer  holds the frame.
     * @param offset  where the frame starts.
     * @param length  bytes in the frame.
     * @param metadata offload state, GSO size and type, checksum position and hash of the frame (the caller's
     *                 reused flyweight: read it during the call only).
     * @return 0 when accepted, else a drop code, which the calling backend counts on its side from the guest: a
     *         {@code DropReason} of that side as itself, anything else (a port's code, another backend's reason
     *         toward its guest) as {@code downstream}.
     */
    int onFrame(DirectBuffer buffer, int offset, int length, FrameMetadata metadata);
}

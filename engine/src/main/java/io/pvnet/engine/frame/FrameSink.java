package io.pvnet.engine.frame;

import org.agrona.DirectBuffer;

/**
 * Where a vif backend hands the frames its guest transmitted (the next hop: a crossover, a bridge, a port).
 * Zero-copy: the frame is valid only during the call. Called on the backend agent's thread; must not block or throw.
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
     * @param flags   {@link FrameFlags} bits.
     * @param gsoSize MSS of a GSO (TSO) frame, 0 for an ordinary frame.
     * @param gsoType {@code XEN_NETIF_GSO_TYPE_*} of a GSO frame.
     * @return 0 when accepted, else a {@code DropReason} code (the caller counts it).
     */
    int onFrame(DirectBuffer buffer, int offset, int length, int flags, int gsoSize, int gsoType);
}

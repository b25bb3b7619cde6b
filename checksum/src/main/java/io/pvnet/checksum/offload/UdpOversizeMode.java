package io.pvnet.checksum.offload;

/** What {@link FrameOffloader} does with a UDP datagram larger than the MTU. */
public enum UdpOversizeMode
{
    /** IP fragmentation, the UDP checksum computed over the whole datagram first. */
    FRAGMENT,
    /** UDP segmentation offload (Linux {@code UDP_SEGMENT}): separate datagrams, each with its own checksum. */
    SEGMENT
}

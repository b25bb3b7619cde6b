package io.pvnet.engine.frame;

import io.pvnet.checksum.hash.FlowHash;
import io.pvnet.checksum.hash.ToeplitzHash;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import org.agrona.DirectBuffer;

/**
 * A host's own flow hash of a frame, for spreading frames over queues without reordering a flow (the role of Linux's
 * {@code skb_get_hash} in {@code xennet_select_queue} and {@code netdev_pick_tx}): a Toeplitz hash with the common RSS
 * key ({@link #DEFAULT_KEY}) over the IPv4/IPv6 addresses and, for TCP, the ports. Every frame of one flow gets one
 * hash; frames that are not IP get none ({@link FlowHash#NONE}).
 * <p>
 * Threading: one thread per instance (it parses into its own {@link PacketHeaders}). Allocation-free.
 */
public final class FlowHasher
{
    /** The 40-byte key of Microsoft's RSS documentation (and many NICs' default). */
    public static final byte[] DEFAULT_KEY = {
        0x6d, 0x5a, 0x56, (byte)0xda, 0x25, 0x5b, 0x0e, (byte)0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, (byte)0xa3,
        (byte)0x8f, (byte)0xb0, (byte)0xd0, (byte)0xca, 0x2b, (byte)0xcb, (byte)0xae, 0x7b, 0x30, (byte)0xb4,
        0x77, (byte)0xcb, 0x2d, (byte)0xa3, (byte)0x80, 0x30, (byte)0xf2, 0x0c, 0x6a, 0x42, (byte)0xb7, 0x3b,
        (byte)0xbe, (byte)0xac, 0x01, (byte)0xfa};

    private final PacketHeaders headers = new PacketHeaders();
    private final FlowHash flowHash;

    /** A hasher with the {@link #DEFAULT_KEY}. */
    public FlowHasher()
    {
        final ToeplitzHash toeplitz = new ToeplitzHash();
        toeplitz.key(DEFAULT_KEY.clone());
        flowHash = new FlowHash(toeplitz);
    }

    /**
     * {@return the frame's flow hash packed as {@link FlowHash} does, or {@link FlowHash#NONE} for a frame not IP}
     *
     * @param frame  holds the frame.
     * @param offset where the frame starts.
     * @param length bytes in the frame.
     */
    public long hash(final DirectBuffer frame, final int offset, final int length)
    {
        return HeaderParser.parse(frame, offset, length, headers) == ParseStatus.OK ?
            flowHash.hash(frame, headers, FlowHash.ALL) : FlowHash.NONE;
    }

    /**
     * {@return the queue of the frame's flow: its hash modulo {@code queues}, 0 for a frame that is not IP}
     *
     * @param frame  holds the frame.
     * @param offset where the frame starts.
     * @param length bytes in the frame.
     * @param queues the queues to choose from (>= 1).
     */
    public int queueFor(final DirectBuffer frame, final int offset, final int length, final int queues)
    {
        final long packed = hash(frame, offset, length);
        return packed == FlowHash.NONE ? 0 : (int)((FlowHash.value(packed) & 0xFFFF_FFFFL) % queues);
    }

    /** {@return the headers of the last frame hashed (valid until the next call)} */
    public PacketHeaders headers()
    {
        return headers;
    }
}

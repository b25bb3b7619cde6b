package io.pvnet.engine.xnb;

import io.pvnet.checksum.hash.FlowHash;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import io.pvnet.engine.frame.FlowHasher;
import org.agrona.DirectBuffer;

import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_CTRL_HASH_ALGORITHM_NONE;

/**
 * Which queue a frame for the guest goes to (Linux netback's {@code xenvif_select_queue}): once the frontend set a hash
 * algorithm over the control ring, its Toeplitz hash through its mapping table ({@link VifHash#queueFor}: the table,
 * or the hash modulo the queues while the table is empty; a frame of no enabled type counts as hash 0); otherwise the
 * host's own flow hash modulo the queues ({@link FlowHasher}; Linux: {@code netdev_pick_tx}), so every frame of one
 * flow takes one queue and keeps its order. Frames that are not IP go to queue 0 (or the table's entry 0).
 * <p>
 * Threading: owned by the rx queue's one producer (whoever calls {@code XnbAgent.offer}). It reads the vif's
 * {@link VifHash}, which the agent's thread may change meanwhile: a frame offered during a change may take the old or
 * the new queue, never one out of range (the result is reduced modulo the queues, as Linux's {@code start_xmit}).
 */
final class RxSteering
{
    private final FlowHasher hostHash = new FlowHasher();
    private final PacketHeaders headers = new PacketHeaders();

    /**
     * @param queues the queues connected (>= 2).
     * @return the queue for the frame, 0..queues-1. Allocation-free.
     */
    int queueFor(final VifHash hash, final DirectBuffer frame, final int offset, final int length, final int queues)
    {
        if (hash.algorithm() == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE)
        {
            return hostHash.queueFor(frame, offset, length, queues);
        }
        final boolean parsed = HeaderParser.parse(frame, offset, length, headers) == ParseStatus.OK;
        final long queue = hash.queueFor(parsed ? hash.hash(frame, headers) : FlowHash.NONE) & 0xFFFF_FFFFL;
        return (int)(queue % queues);
    }
}

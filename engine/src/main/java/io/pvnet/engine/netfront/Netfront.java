package io.pvnet.engine.netfront;

import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FlowHasher;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.region.Region;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The guest half of a vif (Linux {@code xen-netfront}): transmits frames from its own granted pages, posts receive
 * buffers, consumes responses, and negotiates with the backend through XenStore. Split as the backend is:
 * {@code NetfrontConnection} (the XenBus handshake), {@code NetfrontTx}, {@code NetfrontRx}, sharing one
 * {@code NetfrontVif}.
 * <p>
 * Memory: the vif's sections ({@link VifSections}); one tx page per tx id and one rx page per rx slot of each queue,
 * granted once per connection (tx read-only, rx writable) and revoked on close.
 * <p>
 * Queues (Linux netfront's multi-queue): as many as {@code VifConfig.queues} asks for and the backend's
 * {@code multi-queue-max-queues} allows; {@link #transmit} sends each flow through the queue of its flow hash
 * ({@link FlowHasher}), so frames of one flow keep their order; {@link #poll} serves the rx queues in turn.
 * <p>
 * Threading: one thread calls everything ({@link #doWork()}, {@link #transmit}, {@link #flush()}, {@link #poll}). The
 * backend runs on another thread or process. Data-path calls allocate nothing and return status codes.
 * <p>
 * Defences against a broken backend (XSA-391, Linux netfront since 2021): every response slot is read once; a tx
 * response id must be in range and pending, rx responses with a negative status or a page overrun are dropped, a
 * response producer beyond what is outstanding marks the device broken (no more traffic until reconnect).
 */
public final class Netfront
{
    /** Status: transmitted (written to the ring; pushed on {@link #flush()}). */
    public static final int OK = 0;
    /** Status: no room in the ring or no free tx id now; retry after the backend answers. */
    public static final int BUSY = -1;
    /** Status: the vif is not connected (or broken). */
    public static final int NOT_CONNECTED = -2;
    /** Status: the frame cannot be sent on this vif (size, or an offload the backend did not offer). */
    public static final int INVALID = -3;

    private final NetfrontVif vif;
    private final NetfrontQueues queues;
    private final NetfrontConnection connection;
    /** Picks the tx queue of a frame's flow when several are connected. */
    private final FlowHasher flowHasher = new FlowHasher();
    /** The rx queue {@link #poll} starts with, rotated so that no queue waits behind the others. */
    private int nextRxQueue;

    /**
     * @param counters may be null.
     */
    public Netfront(
        final VifConfig config, final XenStore store, final Region region, final VifCounters counters,
        final FrameOffload offload)
    {
        this.vif = new NetfrontVif(config, store, counters);
        this.queues = new NetfrontQueues(vif, offload);
        this.connection = new NetfrontConnection(vif, region, queues);
    }

    /** Finds or allocates the vif's sections and enters Initialising. Configuration time. */
    public void start()
    {
        connection.start();
    }

    /**
     * Kicks the backend through eventfd {@code fd} (received over the control connection) instead of its event word:
     * the host serving a guest in its own memory waits on that eventfd in epoll. Every queue's channel, created at
     * connect, uses it. Call before the vif connects.
     */
    public void kickBackendThrough(final int fd)
    {
        vif.kickFd = fd;
    }

    /** @return the XenBus state of this frontend. */
    public XenbusState state()
    {
        return vif.state;
    }

    /** @return whether frames can flow. */
    public boolean isConnected()
    {
        return vif.isConnected();
    }

    /** @return why the frontend stopped trusting its backend, or null. */
    public String brokenReason()
    {
        return vif.brokenReason;
    }

    /** @return whether the backend asked this frontend to complete transmit checksums itself. */
    public boolean isTxChecksumOffloadStopped()
    {
        return vif.stopTxChecksumOffload;
    }

    /** Starts an orderly close: Closing now, Closed once the backend let go of the grants. */
    public void close()
    {
        connection.close();
    }

    /** After Closed: go through Initialising to Connected again. */
    public void reconnect()
    {
        connection.reconnect();
    }

    /**
     * Runs negotiation when XenStore changed, reaps tx responses, and flushes counters.
     *
     * @return work done.
     */
    public int doWork()
    {
        int work = connection.poll();
        if (vif.isConnected())
        {
            for (int q = 0; q < vif.queues; q++)
            {
                final NetfrontTx tx = queues.tx(q);
                work += tx.reap();
                if (tx.isPushPending())
                {
                    tx.flush();
                }
            }
        }
        vif.flushCounters();
        return work;
    }

    /**
     * Writes one frame with complete checksums and no GSO to the tx ring; {@link #flush()} makes it visible.
     *
     * @return {@link #OK}, {@link #BUSY}, {@link #NOT_CONNECTED} or {@link #INVALID}.
     */
    public int transmit(final DirectBuffer frame, final int offset, final int length)
    {
        return txQueue(frame, offset, length).transmit(frame, offset, length);
    }

    /**
     * Writes one frame to the tx ring (copy into granted pages); {@link #flush()} makes it visible.
     *
     * @param metadata {@link FrameFlags#CSUM_PARTIAL} to offload the L4 checksum, {@link FrameFlags#DATA_VALIDATED};
     *                 a GSO size (MSS) and {@code XEN_NETIF_GSO_TYPE_TCPV4/6} to send a TSO frame with a GSO extra.
     *                 The caller's, read during the call only.
     * @return {@link #OK}, {@link #BUSY}, {@link #NOT_CONNECTED} or {@link #INVALID}.
     */
    public int transmit(final DirectBuffer frame, final int offset, final int length, final FrameMetadata metadata)
    {
        return txQueue(frame, offset, length).transmit(frame, offset, length, metadata);
    }

    /** Linux xennet_select_queue: one queue, or the flow's hash modulo the queues (a flow keeps its order). */
    private NetfrontTx txQueue(final DirectBuffer frame, final int offset, final int length)
    {
        final int queueCount = vif.queues;
        return queueCount == 1 ? queues.tx(0) : queues.tx(flowHasher.queueFor(frame, offset, length, queueCount));
    }

    /**
     * {@return the guest's own selector its queues' ports raise while several queues are connected, else null (one
     * queue: the guest sleeps on that queue's port)}
     */
    public io.pvnet.ring.event.EventSelector queueSelector()
    {
        return vif.queues > 1 ? vif.selector : null;
    }

    /** Arms (or with {@code armed} false disarms) every connected queue's port: a backend notification wakes. */
    public void armQueuePorts(final boolean armed)
    {
        for (int q = 0; q < vif.queues; q++)
        {
            final io.pvnet.ring.event.EventChannel channel = queues.rx(q).channel;
            if (armed)
            {
                channel.armLocalPort();
            }
            else
            {
                channel.disarmLocalPort();
            }
        }
    }

    /** @return the queues connected (1 until a backend offering more connected). */
    public int queueCount()
    {
        return vif.queues;
    }

    /** @return the tx queue {@link #transmit} puts this frame on now. */
    public int txQueueFor(final DirectBuffer frame, final int offset, final int length)
    {
        return vif.queues == 1 ? 0 : flowHasher.queueFor(frame, offset, length, vif.queues);
    }

    /**
     * Beyond Linux netfront (other frontends do this): asks the backend to deliver only the multicast groups added with
     * {@link #multicastControl} ({@code request-multicast-control}); the backend follows changes while connected.
     */
    public void requestMulticastControl(final boolean on)
    {
        vif.store.write(vif.frontendDir + "/" + io.pvnet.engine.netif.NetifKeys.REQUEST_MULTICAST_CONTROL, on ? 1 : 0);
    }

    /**
     * Adds or removes a multicast group at the backend: a dummy tx request carrying an MCAST_ADD or MCAST_DEL extra
     * (netif.h). The backend answers ERROR for an ADD beyond its 64 groups. {@link #flush()} makes it visible.
     *
     * @param mac a 48-bit multicast MAC, first byte on the wire most significant.
     * @return {@link #OK}, {@link #BUSY}, {@link #NOT_CONNECTED} or {@link #INVALID} (the backend does not offer
     *         {@code feature-multicast-control}).
     */
    public int multicastControl(final boolean add, final long mac)
    {
        return queues.tx(0).multicastControl(add, mac);
    }

    /** Publishes the written requests and notifies the backend if it asked for it. */
    public void flush()
    {
        for (int q = 0; q < vif.queues; q++)
        {
            queues.tx(q).flush();
        }
    }

    /**
     * Delivers received frames to {@code handler} and reposts their buffers.
     *
     * @return frames delivered or dropped.
     */
    public int poll(final FrameHandler handler, final int limit)
    {
        final int queueCount = vif.queues;
        if (queueCount == 1)
        {
            return queues.rx(0).poll(handler, limit);
        }
        int frames = 0;
        final int first = nextRxQueue < queueCount ? nextRxQueue : 0;
        for (int i = 0; i < queueCount && frames < limit; i++)
        {
            final int q = first + i < queueCount ? first + i : first + i - queueCount;
            frames += queues.rx(q).poll(handler, limit - frames);
        }
        nextRxQueue = first + 1 < queueCount ? first + 1 : 0;
        return frames;
    }

    /** @return tx responses with an error status seen so far. */
    public long txErrorResponses()
    {
        return vif.txErrorResponses;
    }

    /** @return tx ids waiting for a response. */
    public int txOutstanding()
    {
        int outstanding = 0;
        for (int q = 0; q < vif.queues; q++)
        {
            outstanding += queues.tx(q).outstanding();
        }
        return outstanding;
    }

    /**
     * @return the free tx ids of the fullest connected tx queue (0 while not connected): what a frame can count on
     * whichever queue its flow hashes to.
     */
    public int txRoom()
    {
        if (!vif.isConnected())
        {
            return 0;
        }
        int room = VifSections.RING_SIZE;
        for (int q = 0; q < vif.queues; q++)
        {
            room = Math.min(room, VifSections.RING_SIZE - queues.tx(q).outstanding());
        }
        return room;
    }

    /** Used by tests: the page section. */
    MutableDirectBuffer pages()
    {
        return vif.pages;
    }
}

package io.pvnet.engine;

import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.netfront.Netfront;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.engine.frame.FrameMetadata;
import org.agrona.DirectBuffer;

/**
 * The guest half of a vif, for embedders (the role of Linux's xen-netfront): {@link #transmit} and {@link #flush()} to
 * send, {@link #poll} to receive, {@link #doWork()} for negotiation and housekeeping.
 * <p>
 * Threading: one thread calls everything. Data-path calls return status codes and allocate nothing.
 */
public final class VifFrontend implements io.pvnet.ring.event.WaitPoint
{
    /** {@link #transmit}: written. */
    public static final int OK = Netfront.OK;
    /** {@link #transmit}: ring or buffers full; retry after {@link #doWork()}. */
    public static final int BUSY = Netfront.BUSY;
    /** {@link #transmit}: not connected. */
    public static final int NOT_CONNECTED = Netfront.NOT_CONNECTED;
    /** {@link #transmit}: the frame cannot go on this vif. */
    public static final int INVALID = Netfront.INVALID;

    private final Netfront netfront;
    private final VifConfig config;
    private final io.pvnet.ring.region.Region region;
    /** The frontend's own event port, as this guest's waiting thread sees it (found once connected). */
    private io.pvnet.ring.event.EventChannel port;
    private boolean prepared;
    /** The guest's own selector while sleeping on several queues' ports, else null. */
    private io.pvnet.ring.event.EventSelector sleepingOn;
    private final int[] raisedQueues = new int[io.pvnet.engine.vif.VifSections.GUEST_SELECTOR_BITS];

    private VifFrontend(final VifConfig config, final Netfront netfront, final io.pvnet.ring.region.Region region)
    {
        this.config = config;
        this.netfront = netfront;
        this.region = region;
    }

    /**
     * Creates the frontend of vif {@code config.domid().config.handle()}: allocates (or finds) its memory in the region
     * and enters Initialising; it connects on {@link #doWork()} once the backend waits. Guest side, configuration
     * time.
     *
     * @param region   the region holding the store (the host's, or as a guest process opened it).
     * @param config   the vif; domid and handle as the backend's.
     * @param counters the vif's counters if this process has them (same process as the backend), else null.
     * @param offload  the software offload for frames the backend cannot take offloaded; this frontend's alone.
     * @return the frontend, to be driven by one thread ({@link #doWork}, {@link #transmit}, {@link #poll}).
     */
    public static VifFrontend create(
        final VifRegion region, final VifConfig config, final VifCounters counters, final FrameOffload offload)
    {
        final Netfront netfront = new Netfront(config, region.store(), region.region(), counters, offload);
        netfront.start();
        return new VifFrontend(config, netfront, region.region());
    }

    /**
     * Creates the frontend of a cross-process guest: its store is the guest's mirror of its own keys (kept in step with
     * the switch over the control connection) and its sections live in its own share (see
     * {@code control.GuestControlClient}); it has no counters of the host's. Used by
     * {@code pvnet guest}; the store and share come from the internal control client.
     *
     * @param store   the guest's mirror of its own store keys.
     * @param share   the guest's own memory, holding its vif's sections.
     * @param config  the vif; domid and handle as the backend's.
     * @param offload the software offload for frames the backend cannot take offloaded; this frontend's alone.
     * @return the frontend, to be driven by one thread.
     */
    public static VifFrontend create(
        final io.pvnet.engine.store.XenStore store, final io.pvnet.ring.region.Region share, final VifConfig config,
        final FrameOffload offload)
    {
        return create(store, share, -1, config, offload);
    }

    /**
     * As {@link #create(io.pvnet.engine.store.XenStore, io.pvnet.ring.region.Region, VifConfig, FrameOffload)}, kicking
     * the backend through eventfd {@code kickFd} (received from the switch with the share; -1: the event word only).
     *
     * @param store   the guest's mirror of its store keys.
     * @param share   the guest's own memory, holding the vif's sections.
     * @param kickFd  the kick eventfd, owned by the caller (it must outlive the frontend), or -1.
     * @param config  the vif.
     * @param offload the software offload step for frames the backend cannot take as they are.
     * @return the frontend, Initialising.
     */
    public static VifFrontend create(
        final io.pvnet.engine.store.XenStore store, final io.pvnet.ring.region.Region share, final int kickFd,
        final VifConfig config, final FrameOffload offload)
    {
        final Netfront netfront = new Netfront(config, store, share, null, offload);
        netfront.start();
        if (kickFd >= 0)
        {
            netfront.kickBackendThrough(kickFd);
        }
        return new VifFrontend(config, netfront, share);
    }

    /**
     * Negotiation, tx completions, deferred pushes: call it in the guest's duty cycle.
     *
     * @return work done (0 when idle), as an Agrona {@code Agent} counts it.
     */
    public int doWork()
    {
        return netfront.doWork();
    }

    /**
     * Writes a frame with complete checksums and no GSO to the tx ring.
     *
     * @param buffer   the frame; copied into the guest's granted pages before this returns.
     * @param offset   where its Ethernet header starts in {@code buffer}.
     * @param length   the frame's length in bytes.
     * @return {@link #OK}, {@link #BUSY}, {@link #NOT_CONNECTED} or {@link #INVALID}.
     */
    public int transmit(final DirectBuffer buffer, final int offset, final int length)
    {
        return netfront.transmit(buffer, offset, length);
    }

    /**
     * Writes a frame to the tx ring.
     *
     * @param buffer   the frame; copied into the guest's granted pages before this returns.
     * @param offset   where its Ethernet header starts in {@code buffer}.
     * @param length   the frame's length in bytes.
     * @param metadata {@link FrameFlags}, and for a TSO frame its MSS and {@code NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4/6}:
     *                 the caller's flyweight, read during the call only (the caller may reuse it at once).
     * @return {@link #OK}, {@link #BUSY}, {@link #NOT_CONNECTED} or {@link #INVALID}.
     */
    public int transmit(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        return netfront.transmit(buffer, offset, length, metadata);
    }

    /**
     * Asks the backend to deliver only the multicast groups this guest added ({@code request-multicast-control}).
     *
     * @param on true to filter multicast at the backend, false to receive every group again.
     */
    public void requestMulticastControl(final boolean on)
    {
        netfront.requestMulticastControl(on);
    }

    /**
     * Adds ({@code add}) or removes a multicast group at the backend (an MCAST_ADD/DEL extra); {@link #flush()} sends it.
     *
     * @param add true for MCAST_ADD, false for MCAST_DEL.
     * @param mac the group's multicast MAC (48 bits).
     * @return {@link #OK}, {@link #BUSY}, {@link #NOT_CONNECTED} or {@link #INVALID}.
     */
    public int multicastControl(final boolean add, final long mac)
    {
        return netfront.multicastControl(add, mac);
    }

    /** Publishes written frames to the backend. */
    public void flush()
    {
        netfront.flush();
    }

    /**
     * Delivers up to {@code limit} received frames to {@code handler}, each read in place in the granted page.
     *
     * @param handler called once per frame on this thread; the frame is valid only during the call.
     * @param limit   most frames handled in this call (a NAPI-like budget).
     * @return frames handled.
     */
    public int poll(final FrameHandler handler, final int limit)
    {
        return netfront.poll(handler, limit);
    }

    /** {@return the vif this frontend drives} */
    public VifConfig config()
    {
        return config;
    }

    /** {@return the frontend's XenBus state} */
    public XenbusState state()
    {
        return netfront.state();
    }

    /** {@return whether both halves reached XenBus state Connected (frames flow)} */
    public boolean isConnected()
    {
        return netfront.isConnected();
    }

    /** {@return whether the backend asked this guest to checksum its own frames} */
    public boolean isTxChecksumOffloadStopped()
    {
        return netfront.isTxChecksumOffloadStopped();
    }

    /** {@return why this frontend stopped trusting its backend, or null} */
    public String brokenReason()
    {
        return netfront.brokenReason();
    }

    /** Closes from the guest side. */
    public void close()
    {
        netfront.close();
    }

    /** After Closed, connects again. */
    public void reconnect()
    {
        netfront.reconnect();
    }

    /**
     * {@link io.pvnet.ring.event.WaitPoint}: the guest's thread sleeps on its own event port (a futex word in its
     * memory) until the backend notifies; with several queues on the guest's own selector (every queue's port armed
     * and bound to a bit of it: one word to sleep on); before the vif is connected it parks 1 ms at a time. The
     * thread that calls {@link #doWork()}.
     */
    @Override
    public void prepareToSleep()
    {
        final io.pvnet.ring.event.EventSelector selector = netfront.queueSelector();
        if (selector != null)
        {
            // several queues: every queue's port armed, one sleep on the guest's own selector (arm first: a
            // notification after the arm raises a bit, one before it is seen by the caller's final check)
            netfront.armQueuePorts(true);
            selector.prepareToSleep();
            sleepingOn = selector;
            return;
        }
        final io.pvnet.ring.event.EventChannel channel = port();
        prepared = channel != null;
        if (prepared)
        {
            channel.prepareToSleep();
        }
    }

    @Override
    public void cancelSleep()
    {
        if (sleepingOn != null)
        {
            sleepingOn.cancelSleep();
            netfront.armQueuePorts(false);
            sleepingOn = null;
            return;
        }
        if (prepared)
        {
            prepared = false;
            port.cancelSleep();
        }
    }

    @Override
    public void sleep(final long timeoutNs)
    {
        if (sleepingOn != null)
        {
            final io.pvnet.ring.event.EventSelector selector = sleepingOn;
            sleepingOn = null;
            selector.sleep(timeoutNs);
            selector.drain(raisedQueues); // which queue woke us does not matter: the next duty cycle polls them all
            selector.cancelSleep();
            netfront.armQueuePorts(false);
            return;
        }
        if (prepared)
        {
            prepared = false;
            port.sleep(timeoutNs);
        }
        else
        {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(timeoutNs, 1_000_000L));
        }
    }

    private io.pvnet.ring.event.EventChannel port()
    {
        if (netfront.queueCount() > 1)
        {
            // several queues without a guest selector (sections from elsewhere): park in 1 ms slices
            return null;
        }
        if (port == null && netfront.isConnected())
        {
            final io.pvnet.ring.region.RegionSection section =
                region.findSection(VifSections.eventsName(config.domid(), config.handle()));
            if (section != null)
            {
                port = new io.pvnet.ring.event.EventChannel(section.buffer(), VifSections.FRONTEND_PORT,
                    VifSections.BACKEND_PORT, io.pvnet.ring.event.IdleMode.NOOP);
            }
        }
        return port;
    }

    /** {@return the queues connected (1 until a backend offering more connected; {@code VifConfig.queues} asks)} */
    public int queueCount()
    {
        return netfront.queueCount();
    }

    /**
     * {@return the tx queue {@link #transmit} would put this frame on now (its flow's queue)}
     *
     * @param buffer holds the frame.
     * @param offset where the frame starts.
     * @param length bytes in the frame.
     */
    public int txQueueFor(final DirectBuffer buffer, final int offset, final int length)
    {
        return netfront.txQueueFor(buffer, offset, length);
    }

    /** {@return tx frames' slots waiting for the backend} */
    public int txOutstanding()
    {
        return netfront.txOutstanding();
    }

    /**
     * {@return the free tx ids of the fullest tx queue (0 while not connected): the one-slot frames that can be
     * written now whichever queue their flow hashes to}
     */
    public int txRoom()
    {
        return netfront.txRoom();
    }
}

package io.pvnet.engine;

import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.xnb.XnbAgent;
import io.pvnet.engine.frame.FrameMetadata;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The host half of a vif, for embedders: an Agrona {@link Agent} to run on a thread of the host's choice, plus
 * {@link #offer} to send frames to the guest. Frames the guest transmits go to the {@link FrameSink} given at creation.
 * <p>
 * Threading: one thread runs {@link #doWork()}; one (possibly other) thread calls {@link #offer}; configuration calls
 * ({@link #close()}, {@link #requestNoTxChecksumOffload}) from the agent's thread or before it runs.
 */
public final class VifBackend implements Agent
{
    private final XnbAgent xnb;
    private final VifCounters counters;
    private final VifConfig config;
    private final io.pvnet.ring.region.Region region;
    /** The poller serving this backend and its bit there, or null / -1 (set once, before the agent runs). */
    private VifPoller poller;
    private int pollerBit = -1;
    /** This backend's event ports, as the poller sees them (the host's view; never given a selector). */
    private VifPorts ports;
    private final int[] portScratch = new int[2 * VifConfig.MAX_QUEUES + 1];
    private int portGeneration;
    /**
     * The kick eventfd of the guest being served from its own memory (watched by the poller), or -1. Swapped by the
     * control thread and muted by the poller's thread under {@link #kickLock}, so that the poller never touches a
     * descriptor the control thread has let go of (closed, its number perhaps reused by another guest's kick fd).
     */
    private int kickFd = -1;
    private final Object kickLock = new Object();
    /** Whether the poller cannot be kicked for this vif's guest, so it must visit the vif at housekeeping. */
    private volatile boolean unkickable;

    private VifBackend(
        final VifConfig config, final XnbAgent xnb, final VifCounters counters, final io.pvnet.ring.region.Region region)
    {
        this.config = config;
        this.xnb = xnb;
        this.counters = counters;
        this.region = region;
    }

    /**
     * {@return the direct memory a backend of {@code config} allocates at most (its queues' frame buffers: queue 0's at
     * {@link #create}, the others' when a guest first connects them), so a host can refuse at start a vif count its
     * JVM cannot hold, instead of failing mid-run}
     *
     * @param config the vif, with its queue count.
     */
    public static long directMemoryBytes(final VifConfig config)
    {
        return XnbAgent.directMemoryBytes(config);
    }

    /**
     * Creates the backend of vif {@code config.domid().config.handle()}, allocates its counters, publishes its features
     * and enters InitWait. Host side, configuration time.
     *
     * @param region  the host's region (store and counters).
     * @param config  the vif; the guest's frontend must use the same domid and handle.
     * @param sink    where the frames the guest transmits go (a bridge's or router's ingress for this vif's port),
     *                called on this backend's agent thread.
     * @param offload the software offload step for peers that cannot take offloaded frames; this backend's alone.
     * @return the backend, an {@code Agent} to run on the thread of whatever {@code sink} leads to.
     */
    public static VifBackend create(
        final VifRegion region, final VifConfig config, final FrameSink sink, final FrameOffload offload)
    {
        final VifCounters counters = new VifCounters(region.countersManager(), config.domid(), config.handle());
        final XnbAgent xnb = new XnbAgent(config, region.store(), region.region(), counters,
            config.queues() > 1 ? region.countersManager() : null, sink, offload,
            SystemEpochClock.INSTANCE, SystemNanoClock.INSTANCE);
        xnb.start();
        return new VifBackend(config, xnb, counters, region.region());
    }

    @Override
    public String roleName()
    {
        return xnb.roleName();
    }

    /**
     * One duty cycle of this vif. Whatever it throws (a value in the guest's memory nothing foresaw, a fault on the
     * guest's mapping) disables this vif only ({@link DropReason#BACKEND_EXCEPTION}, counted, one rate-limited log
     * line): never the thread, which serves other vifs and ports.
     */
    @Override
    public int doWork()
    {
        try
        {
            return xnb.doWork();
        }
        catch (final RuntimeException | InternalError ex)
        {
            xnb.onException(ex);
            return 1;
        }
    }

    /**
     * As {@link #doWork()} at {@code nowNs}, {@link System#nanoTime()} read by the caller in this duty cycle: the
     * {@link VifPoller} reads the clock once per round for every vif it polls.
     */
    int doWork(final long nowNs)
    {
        try
        {
            return xnb.doWork(nowNs);
        }
        catch (final RuntimeException | InternalError ex)
        {
            xnb.onException(ex);
            return 1;
        }
    }

    @Override
    public void onClose()
    {
        xnb.onClose();
    }

    /**
     * Queues a frame for the guest; called on this backend's own agent thread, delivers what is queued and then copies
     * the frame straight into the guest's posted buffers instead (one copy fewer).
     *
     * @param buffer   the frame, read during the call only (copied if it must wait).
     * @param offset   where its Ethernet header starts in {@code buffer}.
     * @param length   the frame's length in bytes.
     * @param metadata the frame's flags, GSO size and type: the caller's flyweight, read during the call only (a frame
     *                 that must wait is queued with a copy of what the rx path needs).
     * @return 0 if queued or delivered, else a {@code DropReason} code (not counted here: the caller owns that count);
     *         {@link DropReason#BACKEND_EXCEPTION} when serving this vif threw (the vif is then disabled).
     */
    public int offer(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        final int result;
        try
        {
            result = xnb.offerOrDeliver(buffer, offset, length, metadata);
        }
        catch (final RuntimeException | InternalError ex)
        {
            xnb.onException(ex);
            return DropReason.BACKEND_EXCEPTION;
        }
        if (poller != null && result == DropReason.NONE)
        {
            // queued or handed over with responses still to push: the poller must visit this vif
            poller.onOffered(pollerBit);
        }
        return result;
    }

    /** Called by {@link VifPoller#add} (configuration time). */
    void servedBy(final VifPoller poller, final int bit)
    {
        this.poller = poller;
        this.pollerBit = bit;
    }

    /**
     * The backend's event ports (every queue's and the control ring's) bound to {@code bit} of the poller's selector,
     * found in the region once the frontend allocated them; bound again after a connect that changed them (poller
     * thread).
     *
     * @return the ports, or null while the vif is not connected or has no event section.
     */
    VifPorts boundPorts(final int bit)
    {
        // a guest that attached again brings new memory (a new connect generation): the old ports must never be
        // touched once that memory may be unmapped. Within one connection the ports are those bound at connect (the
        // poller asks at every arm and every activation, so the same generation answers without looking again)
        final int generation = xnb.connectGeneration();
        if (ports != null && portGeneration == generation)
        {
            return ports;
        }
        final int count = xnb.boundPorts(portScratch);
        if (count == 0)
        {
            return null;
        }
        final org.agrona.concurrent.AtomicBuffer events = xnb.connectedEvents();
        if (events == null)
        {
            return null;
        }
        ports = VifPorts.bind(events, portScratch, count, bit);
        portGeneration = generation;
        return ports;
    }

    /** {@return the queues connected now (0 while not connected)} */
    public int queueCount()
    {
        return xnb.queueCount();
    }

    /**
     * {@return queue {@code queue}'s own counters, or null (a single-queue vif)}
     *
     * @param queue the queue, 0..{@code VifConfig.queues} - 1.
     */
    public io.pvnet.engine.vif.QueueCounters queueCounters(final int queue)
    {
        return xnb.queueCounters(queue);
    }

    /**
     * Hands out every queue as an agent of its own (see {@code XnbAgent.queueAgents}): this backend then keeps the
     * connection, control ring and heartbeat. Configuration time, before the agents run. The frame sink is then
     * called from every queue's thread.
     *
     * @return one agent per queue, index = queue number.
     */
    public Agent[] queueAgents()
    {
        return xnb.queueAgents();
    }

    /**
     * Makes the thread serving this backend visit it soon (any thread): a store change made for it elsewhere, such as a
     * guest's write or its death seen on the control connection. Without a poller nothing is needed (the agent polls).
     */
    public void wake()
    {
        if (poller != null)
        {
            poller.onOffered(pollerBit);
        }
    }

    /** {@return the vif this backend serves, with the settings in force} */
    public VifConfig config()
    {
        return config;
    }

    /** {@return the vif's live counters (in the region, readable by {@code pvnet stat})} */
    public VifCounters counters()
    {
        return counters;
    }

    /** {@return the backend's XenBus state} */
    public XenbusState state()
    {
        return xnb.state();
    }

    /** {@return whether both halves reached XenBus state Connected} */
    public boolean isConnected()
    {
        return xnb.isConnected();
    }

    /** {@return the name of the protocol violation that disabled this vif, or null} */
    public String disabledReason()
    {
        return xnb.disabledReason() == DropReason.NONE ? null : DropReason.name(xnb.disabledReason());
    }

    /**
     * Beyond Xen: asks the guest to stop (or resume) offloading transmit checksums
     * ({@code request-no-tx-csum-offload}); the guest then completes them itself.
     *
     * @param stop true to ask the guest to stop offloading, false to let it resume.
     */
    public void requestNoTxChecksumOffload(final boolean stop)
    {
        xnb.requestNoTxChecksumOffload(stop);
    }

    /**
     * Serves the next guest from {@code share}, memory shared with that guest only (see {@code GuestShare}); call while
     * no guest is connected.
     *
     * @param share the guest's own memory, holding its vif's sections; the backend does not close it.
     */
    public void useShare(final io.pvnet.ring.region.Region share)
    {
        useShare(share, -1);
    }

    /**
     * As {@link #useShare(io.pvnet.ring.region.Region)}, the guest kicking this backend through eventfd {@code kickFd}
     * (handed to it over its control connection): the poller serving this backend watches it in its epoll instead of
     * the previous guest's, which it stops watching (the caller may close that one after this returns). Without a
     * poller that watches kicks (-1, or a poller built without an {@code EpollWaitPoint}) the vif is visited at every
     * housekeeping round instead. {@code share} null only stops watching the kick fd (shutting down). Control thread,
     * while no guest is connected.
     *
     * @param share  the guest's memory, or null.
     * @param kickFd the guest's kick eventfd (owned by the caller), or -1.
     */
    public void useShare(final io.pvnet.ring.region.Region share, final int kickFd)
    {
        if (share != null)
        {
            xnb.useShare(share);
        }
        synchronized (kickLock)
        {
            final int previous = this.kickFd;
            this.kickFd = kickFd;
            unkickable = poller == null ? false : !poller.watchKick(pollerBit, kickFd, previous);
        }
    }

    /**
     * Stops (or resumes) reporting this vif's kick eventfd in {@code kicks}: the late EOI of a guest that kicks without
     * cause ({@link KickBackoff}). The poller's thread; slow path.
     *
     * @return whether there was a kick eventfd to mute or unmute.
     */
    boolean muteKick(final io.pvnet.ring.event.EpollWaitPoint kicks, final boolean mute)
    {
        synchronized (kickLock)
        {
            if (kickFd < 0 || unkickable)
            {
                return false;
            }
            return mute ? kicks.mute(kickFd) : kicks.unmute(kickFd, pollerBit);
        }
    }

    /**
     * @return when packets the {@code rate} key held back in the guest's tx ring may go ({@link System#nanoTime()}), or
     *         0 if none is held back: the poller must visit the vif then, its guest has no reason to kick (poller
     *         thread).
     */
    long creditWaitNs()
    {
        return xnb.creditWaitNs();
    }

    /** @return whether this vif needs a visit on a timer though no event came (see {@code XnbAgent.hasTimers}). */
    boolean hasTimers()
    {
        return xnb.hasTimers();
    }

    /** Stamps the vif's heartbeat counter (epoch ms) without serving it: an idle vif is not visited (poller thread). */
    void heartbeat(final long epochMs)
    {
        counters.set(io.pvnet.engine.vif.VifCounters.HEARTBEAT, epochMs);
    }

    /** @return whether the poller visits this vif at housekeeping because its guest cannot kick it (poller thread). */
    boolean unkickable()
    {
        return unkickable;
    }

    /** Closes from the host side. */
    public void close()
    {
        xnb.close();
    }

    /** Accepts the guest again after {@link #close()}. */
    public void reopen()
    {
        xnb.reopen();
    }

    /** {@return the MTU in force (the agent's thread)} */
    public int mtu()
    {
        return xnb.mtu();
    }
}

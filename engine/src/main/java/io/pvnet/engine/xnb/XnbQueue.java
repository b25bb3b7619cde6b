package io.pvnet.engine.xnb;

import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.netif.NetifKeys;
import io.pvnet.engine.vif.QueueCounters;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.ring.BackRing;
import io.pvnet.ring.event.EventChannel;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

/**
 * One queue of a backend vif (Linux netback's {@code struct xenvif_queue}): a tx ring served by its {@link XnbTx}, an
 * rx ring served by its {@link XnbRx}, and the event channel(s) they notify the frontend through (one, or a tx and an
 * rx port with {@code event-channel-tx}/{@code -rx}). Each queue is its own {@link Agent}: by default the vif's
 * {@link XnbAgent} runs every queue on its own thread, one after another; {@link XnbAgent#queueAgents()} hands them out
 * to run on threads of their own.
 * <p>
 * Everything a queue counts goes into its own {@link #pending} and is flushed by the queue's thread (with atomic adds
 * to the vif's totals when queues run on several threads, see {@link XnbVif#queueThreads}); its per-queue counters
 * ({@link QueueCounters}) have it as their only writer.
 * <p>
 * Attaching and detaching is a hand-over, so that only the queue's own thread ever touches its rings:
 * {@link XnbConnection} (the vif agent's thread) publishes the rings mapped at connect with {@link #requestAttach} and
 * withdraws them with {@link #requestDetach}; the queue's thread takes the change at the start of its next duty
 * cycle and acknowledges it ({@link #isDetached}). Run on the vif agent's thread, the hand-over completes at once.
 * <p>
 * Event notification lives here: {@link #notifyTxIfAsked}/{@link #notifyRxIfAsked} are the one place a response push
 * turns into an event for the frontend, and {@link #poll} is the one place this queue's rings are polled (where
 * NAPI-style budgets and sleeping hook in).
 * <p>
 * Threading: the queue's thread (the vif agent's unless handed out), except {@link XnbRx#offer} (the rx queue's one
 * producer), {@link #requestAttach}/{@link #requestDetach} (the vif agent's thread) and {@link #isDetached} (any).
 */
final class XnbQueue implements Agent
{
    /** What {@link XnbConnection} mapped for this queue at connect. Immutable. */
    record Rings(BackRing tx, BackRing rx, EventChannel txChannel, EventChannel rxChannel, int txPort, int rxPort)
    {
    }

    /** @return the rings the vif agent last handed to this queue (null: none), for binding their ports. */
    Rings requestedRings()
    {
        return requested;
    }

    /** This queue's number, 0..queues-1. */
    final int index;
    final XnbVif vif;
    final XnbTx tx;
    final XnbRx rx;
    /** Counts of this queue's duty cycle by {@link VifCounters} kind, flushed by {@link #flushCounters}. */
    final PendingCounts pending = new PendingCounts();
    /** This queue's duty-cycle clock, read once per cycle. */
    long nowNs;
    /**
     * When packets the {@code rate} held back in the ring may go (the next credit window), or 0: the last poll left
     * none there. Written by the queue's thread; read by the poller that serves the vif on that same thread.
     */
    long creditWaitNs;

    private final QueueCounters queueCounters;
    private final NanoClock nanoClock;
    /** The vif agent's wall clock: the exception log's rate limit, shared with the agent's own containment. */
    private final EpochClock epochClock;
    private volatile Rings requested;
    private volatile Rings current;
    private EventChannel txChannel;
    private EventChannel rxChannel;
    private int lastStoreChange = -1;

    /**
     * @param queueCounters this queue's own counters, or null (a single-queue vif has only the vif's).
     * @param nanoClock     the clock of this queue's duty cycles when it runs as its own agent.
     * @param epochClock    the vif agent's wall clock (read here only when an exception is contained).
     */
    XnbQueue(
        final int index, final XnbVif vif, final FrameSink sink, final FrameOffload offload,
        final QueueCounters queueCounters, final NanoClock nanoClock, final EpochClock epochClock)
    {
        this.index = index;
        this.vif = vif;
        this.queueCounters = queueCounters;
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
        this.tx = new XnbTx(vif, this, sink, offload);
        this.rx = new XnbRx(vif, this, offload);
    }

    /**
     * {@return the direct memory one queue takes at creation: the tx frame buffer, the rx segment scratch and the rx
     * frame queue}
     *
     * @param config the vif.
     */
    static long directMemoryBytes(final io.pvnet.engine.vif.VifConfig config)
    {
        return XnbTx.DIRECT_BYTES + XnbRx.DIRECT_BYTES + RxFrameQueue.directBytes(config.rxQueueBytes(), XnbVif.MAX_FRAME);
    }

    /** Publishes the rings mapped at connect; the queue's thread attaches them (vif agent's thread). */
    void requestAttach(final Rings rings)
    {
        requested = rings;
    }

    /** Withdraws the rings at disconnect; the queue's thread lets go of them (vif agent's thread). */
    void requestDetach()
    {
        requested = null;
    }

    /** @return whether the queue's thread has let go of its rings (any thread). */
    boolean isDetached()
    {
        return current == null;
    }

    /** @return whether frames flow through this queue: its rings are attached and the vif is connected. */
    boolean isServing()
    {
        return txChannel != null && vif.isConnected();
    }

    /** Takes an attach or detach published by {@link XnbConnection}. The queue's thread. */
    void syncAttachment()
    {
        final Rings wanted = requested;
        final Rings held = current;
        if (wanted == held)
        {
            return;
        }
        if (held != null)
        {
            // frames still queued for the guest are dropped as not connected
            rx.detach();
            tx.detach();
            txChannel = null;
            rxChannel = null;
        }
        if (wanted != null)
        {
            txChannel = wanted.txChannel();
            rxChannel = wanted.rxChannel();
            tx.attach(wanted.tx());
            rx.attach(wanted.rx());
            lastStoreChange = -1;
        }
        current = wanted;
    }

    /** Starts a duty cycle at {@code nowNs} on the queue's thread: takes a hand-over, follows the {@code rate} key. */
    void onDutyCycle(final long nowNs)
    {
        this.nowNs = nowNs;
        rx.onDutyCycle(nowNs);
        syncAttachment();
        final int change = vif.store.changeCounter();
        if (change != lastStoreChange)
        {
            // Linux gives every queue the vif's rate (xen_net_rate_changed): each queue follows the key itself
            lastStoreChange = change;
            tx.credit().reload(vif.store.read(vif.backendDir + "/" + NetifKeys.RATE), nowNs);
        }
    }

    /**
     * @return whether this queue needs a visit without an event: frames queued for the guest (delivered as it posts
     *         buffers, dropped at their drain timeout) or tx requests held back (credit).
     */
    boolean hasTimers()
    {
        return rx.queuedFrames() > 0 || (txChannel != null && tx.hasUntakenRequests());
    }

    /**
     * Serves this queue's rings once: the guest's transmits first, then frames for the guest.
     *
     * @return packets and frames handled.
     */
    int poll()
    {
        creditWaitNs = 0;
        if (txChannel == null || vif.disabledReason != io.pvnet.engine.vif.DropReason.NONE)
        {
            return 0;
        }
        int work = tx.process();
        if (vif.isConnected())
        {
            work += rx.process();
        }
        return work;
    }

    /**
     * As an agent of its own thread ({@link XnbAgent#queueAgents()}): one duty cycle. An exception serving the queue
     * (whatever the guest wrote) does not leave this method: as on the vif's own thread ({@code VifBackend.doWork}),
     * it disables this vif only, counted as {@code backend-exception} and logged in one line at most every 10 s
     * ({@link XnbVif#containException}), with the {@code error} key written; the thread goes on.
     */
    @Override
    public int doWork()
    {
        try
        {
            onDutyCycle(nanoClock.nanoTime());
            final int work = poll();
            flushCounters();
            return work;
        }
        catch (final RuntimeException | InternalError ex)
        {
            onExceptionSlowPath(ex);
            return 1;
        }
    }

    /**
     * Contains an exception thrown on this queue's own thread. The vif agent's thread owns the XenBus state, so only
     * the {@code error} key is written here (the store takes writers from any thread); a queue serves only while the
     * vif is Connected, where the agent's own containment changes no state either. The log's rate limit takes the
     * vif agent's injected {@code EpochClock} (its milliseconds, so both threads' limits compare on one clock).
     */
    private void onExceptionSlowPath(final Throwable ex)
    {
        if (vif.containException(ex, epochClock.time()))
        {
            vif.reportExceptionToStore();
        }
    }

    @Override
    public String roleName()
    {
        return "xnb-" + vif.config.domid() + "." + vif.config.handle() + "-q" + index;
    }

    /** Sends an event on the tx port if the push said the frontend asked for one, counting either way. */
    void notifyTxIfAsked(final boolean notify)
    {
        notifyIfAsked(txChannel, notify);
    }

    /** Sends an event on the rx port if the push said the frontend asked for one, counting either way. */
    void notifyRxIfAsked(final boolean notify)
    {
        notifyIfAsked(rxChannel, notify);
    }

    private void notifyIfAsked(final EventChannel channel, final boolean notify)
    {
        if (notify)
        {
            channel.notifyPeer();
            pending.increment(VifCounters.NOTIFY_SENT);
        }
        else
        {
            pending.increment(VifCounters.NOTIFY_SUPPRESSED);
        }
    }

    /** Counts one dropped packet or frame by its {@code DropReason}. */
    void drop(final int reason)
    {
        pending.increment(VifCounters.DROP_BASE + reason);
    }

    /** A protocol violation on this queue disables the whole vif (Linux {@code xenvif_fatal_tx_err}). Slow path. */
    void fatal(final int reason, final String where)
    {
        if (vif.disable(reason, index == 0 && queueCounters == null ? where : "queue " + index + ": " + where))
        {
            pending.increment(VifCounters.PROTOCOL_ERRORS);
        }
    }

    /** Adds this duty cycle's counts to the vif's and this queue's counters. The queue's thread. */
    void flushCounters()
    {
        vif.flushCounters(pending, queueCounters);
        rx.onCountersFlushed();
    }
}

package io.pvnet.engine.xnb;

import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.region.Region;
import io.pvnet.engine.frame.FrameMetadata;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

/**
 * The host half of a vif, after FreeBSD's xnb(4) with Linux netback's limits and split along netback's seams:
 * <ul>
 *   <li>{@link XnbConnection}: the XenBus handshake (netback's {@code xenbus.c});</li>
 *   <li>{@link XnbQueue}: one queue's rings and event channel(s) ({@code struct xenvif_queue}), one per queue the
 *       frontend connected (frames for the guest are spread over them by {@link RxSteering}), with its
 *       {@link XnbTx} (guest to host, {@code netback.c}, with the {@link CreditScheduler}) and {@link XnbRx} (host to
 *       guest, {@code rx.c});</li>
 *   <li>{@link XnbVif}: the state they share ({@code struct xenvif}).</li>
 * </ul>
 * The backend trusts nothing in shared memory: each request slot is copied once into a private snapshot before it is
 * looked at (XSA-155); per-packet problems become error responses and counted drops; protocol violations
 * ({@link DropReason#isFatal}) disable this vif only, with the reason logged and written to the {@code error} key.
 * <p>
 * Threading: an Agrona agent; one thread calls {@link #doWork()}. {@link #offer} may be called by one other thread
 * (single producer of the rx queue); {@link #offerOrDeliver} made on the agent's own thread first hands the guest what
 * is queued, then, with the queue empty, copies the frame straight into the guest's posted buffers, without the queue's
 * copy. Counters are written by this agent only, once per duty cycle.
 * <p>
 * Why one file of this length (about 340 lines of code, the rest javadoc): it is the backend's one public face, the
 * duty cycle and a few delegating lines per thing a switch asks of a vif; the work is in the classes listed above.
 */
public final class XnbAgent implements Agent
{
    /**
     * {@return the direct memory ({@code ByteBuffer.allocateDirect}) a backend of {@code config} takes at most: queue 0's
     * buffers when created, each further queue's when a guest first connects it (up to {@code config.queues()}); what a
     * switch checks against the JVM's limit before it creates a thousand of them}
     *
     * @param config the vif, with its queue count and rx queue size.
     */
    public static long directMemoryBytes(final VifConfig config)
    {
        return config.queues() * XnbQueue.directMemoryBytes(config);
    }

    private static final long HEARTBEAT_INTERVAL_NS = 100_000_000L;

    private final XnbVif vif;
    private final XnbQueues queues;
    private final XnbQueue firstQueue;
    private final XnbConnection connection;
    private final RxSteering steering = new RxSteering();
    private final EpochClock epochClock;
    private final NanoClock nanoClock;
    private final String roleName;
    private long lastHeartbeatNs;

    /**
     * A backend without per-queue counters (a single-queue vif, or tests).
     *
     * @param counters this vif's counters (written by this agent only).
     * @param sink     where frames from the guest go.
     * @param offload  software checksum/segmentation where a peer cannot take offloaded frames.
     */
    public XnbAgent(
        final VifConfig config, final XenStore store, final Region region, final VifCounters counters,
        final FrameSink sink, final FrameOffload offload, final EpochClock epochClock, final NanoClock nanoClock)
    {
        this(config, store, region, counters, null, sink, offload, epochClock, nanoClock);
    }

    /**
     * @param counters      this vif's counters (written by this agent only).
     * @param queueCounters where a vif of several queues ({@code config.queues() > 1}) allocates each queue's
     *                      {@link io.pvnet.engine.vif.QueueCounters}, or null for none.
     * @param sink          where frames from the guest go.
     * @param offload       software checksum/segmentation where a peer cannot take offloaded frames.
     */
    public XnbAgent(
        final VifConfig config, final XenStore store, final Region region, final VifCounters counters,
        final org.agrona.concurrent.status.CountersManager queueCounters, final FrameSink sink,
        final FrameOffload offload, final EpochClock epochClock, final NanoClock nanoClock)
    {
        this.vif = new XnbVif(config, store, counters);
        this.queues = new XnbQueues(vif, sink, offload, nanoClock, epochClock, queueCounters);
        this.firstQueue = queues.get(0);
        this.connection = new XnbConnection(vif, region, queues);
        this.epochClock = epochClock;
        this.nanoClock = nanoClock;
        this.roleName = "xnb-" + config.domid() + "." + config.handle();
    }

    /**
     * Hands out every queue as an {@link Agent} of its own, to run on threads of the caller's choice (Linux runs each
     * queue in its own kthread and NAPI context); this agent then keeps only the connection, the control ring and the
     * heartbeat. Creates all {@code VifConfig.queues} queues now. Configuration time: before this agent runs. Each
     * queue's agent must keep running while the vif is up: a disconnect waits (at most 1 s) for it to let go of the
     * guest's rings.
     *
     * @return one agent per queue, index = queue number.
     */
    public Agent[] queueAgents()
    {
        vif.queueThreads = true;
        final Agent[] agents = new Agent[queues.capacity()];
        for (int q = 0; q < agents.length; q++)
        {
            agents[q] = queues.get(q);
        }
        return agents;
    }

    /**
     * Contains an exception thrown while serving this vif (on the agent thread or in {@link #offerOrDeliver}): the vif
     * becomes fatal with {@link DropReason#BACKEND_EXCEPTION} counted, a frontend that has not connected yet is told
     * {@code Closing}, and one log line is written at most every 10 s per vif (with how many were not logged), never
     * a stack trace. Never throws: a store that cannot be written only leaves the vif disabled. Slow path.
     */
    public void onException(final Throwable ex)
    {
        if (vif.containException(ex, epochClock.time()))
        {
            connection.closeAfterException();
        }
    }

    /**
     * Serves the next guest's connection from {@code share} (its own memory: rings, grant table, pages, events).
     * Call while the vif is Closed or InitWait, before the guest writes its keys; read on the agent thread at connect.
     */
    public void useShare(final Region share)
    {
        connection.useRegion(share);
    }

    /**
     * @return the event ports section of the connection in force (in the guest's memory), or null before the first
     *         connect; valid while {@link #isConnected()} (agent thread).
     */
    public org.agrona.concurrent.AtomicBuffer connectedEvents()
    {
        return connection.connectedEvents();
    }

    /** @return how many times the vif connected: a change means its memory changed (agent thread). */
    public int connectGeneration()
    {
        return connection.connectGeneration();
    }

    /** Publishes the backend's features and settings and enters InitWait. Configuration time. */
    public void start()
    {
        connection.start();
    }

    @Override
    public int doWork()
    {
        return doWork(nanoClock.nanoTime());
    }

    /**
     * One duty cycle at {@code nowNs}, a time the caller read from this agent's clock in the same duty cycle (a thread
     * serving many vifs reads it once for all of them: a clock read costs about as much as switching a 64-byte frame).
     *
     * @param nowNs the duty cycle's time, as this agent's {@link NanoClock} gives it.
     * @return work done.
     */
    public int doWork(final long nowNs)
    {
        vif.nowNs = nowNs;
        final boolean servesQueues = !vif.queueThreads;
        if (servesQueues)
        {
            for (int q = 0; q < queues.capacity(); q++)
            {
                final XnbQueue queue = queues.created(q);
                if (queue != null)
                {
                    queue.onDutyCycle(nowNs);
                }
            }
        }

        int workCount = connection.poll();
        if (vif.isConnected())
        {
            // control requests first: a new hash setting applies to this cycle's frames
            workCount += serveControlRing();
            if (servesQueues)
            {
                final int connected = vif.queues;
                for (int q = 0; q < connected; q++)
                {
                    final XnbQueue queue = queues.created(q);
                    queue.syncAttachment(); // a connect in this cycle
                    workCount += queue.poll();
                }
            }
        }
        heartbeat(nowNs);

        vif.flushCounters();
        if (servesQueues)
        {
            for (int q = 0; q < queues.capacity(); q++)
            {
                final XnbQueue queue = queues.created(q);
                if (queue != null)
                {
                    queue.flushCounters();
                }
            }
        }
        return workCount;
    }

    private int serveControlRing()
    {
        final int answered = vif.control.process();
        if (answered != 0)
        {
            vif.statusDirty = true;
        }
        if (answered == XnbControl.BROKEN)
        {
            // a broken control ring costs this vif its hash control only; the data rings keep going
            vif.pending.increment(VifCounters.PROTOCOL_ERRORS);
            vif.log("control ring: req_prod outside the ring; control ring dropped");
            return 1;
        }
        return answered;
    }

    /**
     * Whether this vif needs its duty cycle run on a timer although nothing raised an event: status to publish, control
     * requests left by a frontend, frames queued for the guest (delivery, drain timeout) or tx requests held by the
     * credit scheduler. A thread serving many vifs visits only these between events (agent thread).
     */
    public boolean hasTimers()
    {
        if (vif.statusDirty)
        {
            return true;
        }
        if (vif.disabledReason != DropReason.NONE)
        {
            return false; // a disabled vif serves nothing: whatever its guest left on the rings stays there
        }
        if (vif.control.hasRequests())
        {
            return true;
        }
        for (int q = 0; q < queues.capacity(); q++)
        {
            final XnbQueue queue = queues.created(q);
            if (queue != null && queue.hasTimers())
            {
                return true;
            }
        }
        return false;
    }

    private void heartbeat(final long nowNs)
    {
        if (nowNs - lastHeartbeatNs >= HEARTBEAT_INTERVAL_NS)
        {
            lastHeartbeatNs = nowNs;
            vif.counters.set(VifCounters.HEARTBEAT, epochClock.time());
            vif.publishStatus();
        }
    }

    @Override
    public void onClose()
    {
        connection.onClose();
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    /**
     * Queues a frame for the guest (the rx path). Called by the one producer of this vif's rx queue.
     *
     * @return 0 if queued, else the {@link DropReason} (the caller counts it).
     */
    public int offer(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        return steer(buffer, offset, length).rx.offer(buffer, offset, length, metadata, false);
    }

    /**
     * The queue a frame for the guest takes ({@link RxSteering}): queue 0 while one queue is connected. The producer's
     * thread.
     */
    private XnbQueue steer(final DirectBuffer buffer, final int offset, final int length)
    {
        final int connected = vif.queues;
        if (connected <= 1)
        {
            return firstQueue;
        }
        return queues.created(steering.queueFor(vif.hash, buffer, offset, length, connected));
    }

    /** @return the queue {@link #offer} would put this frame on now (producer's thread; tests and tools). */
    public int rxQueueFor(final DirectBuffer buffer, final int offset, final int length)
    {
        return steer(buffer, offset, length).index;
    }

    /**
     * As {@link #offer(DirectBuffer, int, int, FrameMetadata)}, but when called on this agent's own thread (a crossover
     * or bridge run by the same thread as this backend), the frames queued ahead are delivered first and then, with the
     * queue empty, the frame is copied straight into the guest's posted buffers, saving the copy into the queue; it is
     * queued as usual when the guest has too few buffers posted or its checksum must be completed in place.
     *
     * @return 0 if delivered, counted as dropped by this backend, or queued; else the {@link DropReason} (the caller
     *         counts it).
     */
    public int offerOrDeliver(
        final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        return steer(buffer, offset, length).rx.offer(buffer, offset, length, metadata, true);
    }

    /** @return the backend's XenBus state. */
    public XenbusState state()
    {
        return vif.state;
    }

    /** @return the {@link DropReason} that disabled this vif, or {@link DropReason#NONE}. */
    public int disabledReason()
    {
        return vif.disabledReason;
    }

    /** @return whether frames flow. */
    public boolean isConnected()
    {
        return vif.isConnected();
    }

    /** @return whether a control ring is served (this agent's thread). */
    public boolean isControlRingAttached()
    {
        return vif.control.isAttached();
    }

    /** @return the receive-side hash state the frontend set over the control ring (this agent's thread). */
    public VifHash hash()
    {
        return vif.hash;
    }

    /** @return the multicast groups the frontend added (this agent's thread). */
    public MulticastFilter multicastFilter()
    {
        return vif.multicast;
    }

    /** @return whether the frontend asked for multicast filtering (this agent's thread). */
    public boolean isMulticastFiltering()
    {
        return vif.multicastControl;
    }

    /** @return the live interface settings (read on this agent's thread). */
    public InterfaceSettings settings()
    {
        return vif.settings;
    }

    /** @return the interface's current MTU (this agent's thread). */
    public int mtu()
    {
        return vif.settings.mtu;
    }

    /** Beyond Xen: asks the frontend to stop (or resume) offloading transmit checksums. Configuration path. */
    public void requestNoTxChecksumOffload(final boolean stop)
    {
        connection.requestNoTxChecksumOffload(stop);
    }

    /** Closes the vif from the backend side (Closing, then Closed once the frontend closed). */
    public void close()
    {
        connection.close();
    }

    /** Lets a closed backend accept a frontend that comes back through Initialising. */
    public void reopen()
    {
        connection.reopen();
    }

    /**
     * @return frames accepted for the guest whose outcome is not in the counters yet: those in the rx queue, and those
     *         an offer on this agent's thread handed straight to the guest since the counters were last flushed (this
     *         agent's thread, producer idle).
     */
    public long rxQueueFrames()
    {
        long frames = 0;
        for (int q = 0; q < queues.capacity(); q++)
        {
            final XnbQueue queue = queues.created(q);
            frames += queue == null ? 0 : queue.rx.queuedFrames();
        }
        return frames;
    }

    /** @return the rx queues' bytes in use, over every queue. */
    public int rxQueueBytes()
    {
        int bytes = 0;
        for (int q = 0; q < queues.capacity(); q++)
        {
            final XnbQueue queue = queues.created(q);
            bytes += queue == null ? 0 : queue.rx.queuedBytes();
        }
        return bytes;
    }

    /**
     * Writes the backend event ports this vif's queues and control ring are bound to (each once) into {@code ports}.
     * This agent's thread, while connected.
     *
     * @return how many were written.
     */
    public int boundPorts(final int[] ports)
    {
        int count = 0;
        final int connected = vif.queues;
        for (int q = 0; q < connected; q++)
        {
            final XnbQueue.Rings rings = queues.created(q).requestedRings();
            if (rings != null)
            {
                count = addPort(ports, count, rings.txPort());
                count = addPort(ports, count, rings.rxPort());
            }
        }
        if (vif.control.isAttached())
        {
            count = addPort(ports, count, vif.controlPort);
        }
        return count;
    }

    private static int addPort(final int[] ports, final int count, final int port)
    {
        for (int i = 0; i < count; i++)
        {
            if (ports[i] == port)
            {
                return count;
            }
        }
        if (count < ports.length)
        {
            ports[count] = port;
            return count + 1;
        }
        return count;
    }

    /**
     * @return when packets the {@code rate} holds back in a tx ring may go (the earliest queue's next credit window),
     *         or 0 when none is held back. The thread that runs {@link #doWork()}, with every queue on it.
     */
    public long creditWaitNs()
    {
        long earliest = 0;
        for (int q = 0; q < queues.capacity(); q++)
        {
            final XnbQueue queue = queues.created(q);
            if (queue != null && queue.creditWaitNs != 0 && (earliest == 0 || queue.creditWaitNs - earliest < 0))
            {
                earliest = queue.creditWaitNs;
            }
        }
        return earliest;
    }

    /** @return the queues connected now (0 while not connected). Any thread. */
    public int queueCount()
    {
        return vif.queues;
    }

    /** @return queue {@code queue}'s own counters, or null (a single-queue vif, or none allocated). */
    public io.pvnet.engine.vif.QueueCounters queueCounters(final int queue)
    {
        return queues.counters(queue);
    }
}

package io.pvnet.engine.xnb;

import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.vif.QueueCounters;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.CountersManager;

/**
 * The queues of one backend vif, up to {@code VifConfig.queues}: created when a frontend first connects that many (each
 * costs its frame buffers and rx queue, so a vif whose guest uses one queue never pays for more) and kept across
 * reconnects.
 * <p>
 * Threading: {@link #get} and {@link #detachAll} on the vif agent's thread; {@link #connected} from the rx producer.
 */
final class XnbQueues
{
    /** How long {@link #detachAll} waits for queues on threads of their own to let go of their rings. */
    private static final long DETACH_WAIT_NS = 1_000_000_000L;

    private final XnbVif vif;
    private final FrameSink sink;
    private final FrameOffload offload;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final QueueCounters[] queueCounters;
    /** Created queues; an element is published before {@code vif.queues} (volatile) counts it. */
    private final XnbQueue[] queues;

    /** @param manager where per-queue counters are allocated (only for a vif that may have several queues), or null. */
    XnbQueues(
        final XnbVif vif, final FrameSink sink, final FrameOffload offload, final NanoClock nanoClock,
        final EpochClock epochClock, final CountersManager manager)
    {
        this.vif = vif;
        this.sink = sink;
        this.offload = offload;
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
        final int max = vif.config.queues();
        this.queues = new XnbQueue[max];
        this.queueCounters = new QueueCounters[max];
        if (max > 1 && manager != null)
        {
            // allocated up front: counters are registered at configuration time, never from an agent's thread
            for (int q = 0; q < max; q++)
            {
                queueCounters[q] = new QueueCounters(manager, vif.config.domid(), vif.config.handle(), q);
            }
        }
        queues[0] = new XnbQueue(0, vif, sink, offload, queueCounters[0], nanoClock, epochClock);
    }

    /** @return queue {@code index}, created on first use (vif agent's thread, or configuration time). */
    XnbQueue get(final int index)
    {
        XnbQueue queue = queues[index];
        if (queue == null)
        {
            queue = new XnbQueue(index, vif, sink, offload, queueCounters[index], nanoClock, epochClock);
            queues[index] = queue;
        }
        return queue;
    }

    /** @return queue {@code index} if it was ever created, else null. */
    XnbQueue created(final int index)
    {
        return queues[index];
    }

    /** @return the most queues this vif can have. */
    int capacity()
    {
        return queues.length;
    }

    /** @return queue {@code index}'s counters, or null (a single-queue vif). */
    QueueCounters counters(final int index)
    {
        return queueCounters[index];
    }

    /**
     * Withdraws every queue's rings. Run by the vif agent's thread, the queues let go at once; on threads of their
     * own, this waits (at most a second, yielding) until each has taken the hand-over, so that the guest's memory is
     * not released under a queue still reading it. Slow path.
     */
    void detachAll()
    {
        for (final XnbQueue queue : queues)
        {
            if (queue != null)
            {
                queue.requestDetach();
                if (!vif.queueThreads)
                {
                    queue.syncAttachment();
                }
            }
        }
        if (vif.queueThreads)
        {
            final long deadline = System.nanoTime() + DETACH_WAIT_NS;
            for (final XnbQueue queue : queues)
            {
                while (queue != null && !queue.isDetached() && System.nanoTime() - deadline < 0)
                {
                    Thread.yield();
                }
                if (queue != null && !queue.isDetached())
                {
                    vif.log("queue " + queue.index + " did not let go of its rings within 1 s (its thread is not running?)");
                }
            }
        }
    }

    /** Closes every queue's counters. */
    void closeCounters()
    {
        for (final QueueCounters counters : queueCounters)
        {
            if (counters != null)
            {
                counters.close();
            }
        }
    }
}

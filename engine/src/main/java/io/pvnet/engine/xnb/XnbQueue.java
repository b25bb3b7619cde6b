package io.pvnet.engine.xnb;

import io.pvnet.engine.FrameSink;
import io.pvnet.engine.VifCounters;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.ring.BackRing;
import io.pvnet.ring.event.EventChannel;

/**
 * One queue of a backend vif (Linux netback's {@code struct xenvif_queue}): a tx ring served by its {@link XnbTx}, an
 * rx ring served by its {@link XnbRx}, and the event channel both notify the frontend through. A vif has one queue
 * today; multi-queue makes it a list of these, each attached by {@link XnbConnection} from its own {@code queue-N/}
 * keys, each able to run on its own thread.
 * <p>
 * Event notification lives here: {@link #notifyIfAsked} is the one place a response push turns into an event for the
 * frontend, and {@link #poll} is the one place this queue's rings are polled (where NAPI-style budgets and sleeping
 * hook in).
 * <p>
 * Threading: the agent's thread, except {@link XnbRx#offer}.
 */
final class XnbQueue
{
    final XnbVif vif;
    final XnbTx tx;
    final XnbRx rx;
    private EventChannel channel;

    XnbQueue(final XnbVif vif, final FrameSink sink, final FrameOffload offload)
    {
        this.vif = vif;
        this.tx = new XnbTx(vif, this, sink, offload);
        this.rx = new XnbRx(vif, this, offload);
    }

    /** Attaches the rings and event channel mapped at connect. */
    void attach(final BackRing txRing, final BackRing rxRing, final EventChannel channel)
    {
        this.channel = channel;
        tx.attach(txRing);
        rx.attach(rxRing);
    }

    /** Lets go of the rings at disconnect; frames still queued for the guest are dropped as not connected. */
    void detach()
    {
        rx.detach();
        tx.detach();
    }

    /**
     * Serves this queue's rings once: the guest's transmits first, then frames for the guest.
     *
     * @return packets and frames handled.
     */
    int poll()
    {
        int work = tx.process();
        if (vif.isConnected())
        {
            work += rx.process();
        }
        return work;
    }

    /** Sends an event if the push said the frontend asked for one (its {@code rsp_event}), counting either way. */
    void notifyIfAsked(final boolean notify)
    {
        if (notify)
        {
            channel.notifyPeer();
            vif.pending[VifCounters.NOTIFY_SENT]++;
        }
        else
        {
            vif.pending[VifCounters.NOTIFY_SUPPRESSED]++;
        }
    }
}

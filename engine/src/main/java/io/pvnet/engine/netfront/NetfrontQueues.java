package io.pvnet.engine.netfront;

import io.pvnet.engine.offload.FrameOffload;

/**
 * The queues of one frontend, up to {@code VifConfig.queues}: each a {@link NetfrontTx} and a {@link NetfrontRx},
 * created when a connection first uses that many (each holds its own scratch and reassembly buffers) and kept across
 * reconnects.
 * <p>
 * Threading: the frontend's one thread.
 */
final class NetfrontQueues
{
    private final NetfrontVif vif;
    private final FrameOffload offload;
    private final NetfrontTx[] tx;
    private final NetfrontRx[] rx;

    NetfrontQueues(final NetfrontVif vif, final FrameOffload offload)
    {
        this.vif = vif;
        this.offload = offload;
        this.tx = new NetfrontTx[vif.config.queues()];
        this.rx = new NetfrontRx[vif.config.queues()];
        create(0);
    }

    /** Creates queue {@code q} unless it exists. Connect time. */
    void create(final int q)
    {
        if (tx[q] == null)
        {
            tx[q] = new NetfrontTx(vif, offload, q);
            rx[q] = new NetfrontRx(vif, q);
        }
    }

    /** @return queue {@code q}'s transmit half (created). */
    NetfrontTx tx(final int q)
    {
        return tx[q];
    }

    /** @return queue {@code q}'s receive half (created). */
    NetfrontRx rx(final int q)
    {
        return rx[q];
    }

    /** @return the most queues this frontend asks for. */
    int capacity()
    {
        return tx.length;
    }
}

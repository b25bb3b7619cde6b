package io.pvnet.engine.guest;

import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.frame.FrameHandler;

/**
 * Receive backpressure for a guest that answers what it receives (an echo server: {@link GuestStack} behind
 * {@code pvnet guest}): each poll takes from the rx ring no more frames than the tx ring has room to answer, as a
 * NIC driver stops taking packets while its transmit queue is stopped, or as an echo server's full socket buffer
 * stops it reading. Requests it cannot answer yet stay in the rx ring; when they back up further the backend's queue
 * for the guest fills and refuses what it cannot hold, which the host counts (the bridge as that vif's port's
 * {@code tx-drop-queue-full}), so all loss is visible at the host and none happens inside the guest after it took a
 * request.
 * <p>
 * A poll that takes nothing because the tx ring is full does not count as work: the caller then idles, and the
 * frontend's reap armed the tx {@code rsp_event}, so the backend's tx responses (room again) wake it rather than a
 * timer. The room is the free tx ids of the fullest tx queue (a reply goes
 * to its flow's queue) less {@link #RESERVE} (a reply of several slots: an IPv4
 * fragment train of a reassembled datagram can need more; the frontend then retries once and the stack counts a
 * {@code reply-failure}).
 * <p>
 * Not for a traffic generator: its rx ring holds the answers it counts, which it must take whatever its tx ring holds.
 * <p>
 * Threading: the guest's one thread. Allocates nothing.
 */
public final class AnsweringPoll
{
    /** Tx slots kept free for what one reply may need beyond one slot. */
    public static final int RESERVE = 16;

    private long heldBack;

    /** An answering poll that has held nothing back yet. */
    public AnsweringPoll()
    {
    }

    /**
     * Polls {@code frontend}'s rx ring into {@code handler}: at most {@code budget} frames, fewer when the tx ring has
     * less room than that for their answers, none when it has none.
     *
     * @param frontend the guest's vif (its tx ring carries the answers).
     * @param handler  takes the frames (the stack; its replies go to {@code frontend}'s tx ring).
     * @param budget   most frames this poll (a NAPI budget).
     * @return frames taken.
     */
    public int poll(final VifFrontend frontend, final FrameHandler handler, final int budget)
    {
        final int room = frontend.txRoom() - RESERVE;
        final int limit = Math.min(budget, room);
        if (limit < budget)
        {
            heldBack++;
        }
        return limit > 0 ? frontend.poll(handler, limit) : 0;
    }

    /** {@return polls that took fewer frames than their budget because the tx ring was short of room} */
    public long heldBack()
    {
        return heldBack;
    }
}

package io.pvnet.engine;

import io.pvnet.engine.vif.VifCounters;
import io.pvnet.ring.event.EpollWaitPoint;

/**
 * What a {@link VifPoller}'s {@link KickBackoff} does to a vif: mutes or unmutes its guest's kick eventfd in the
 * poller's epoll set (through {@link VifBackend#muteKick}, which holds the descriptor still) and counts its spurious
 * kicks and backoffs in the vif's counters ({@code kicks-spurious}, {@code kick-backoffs}).
 * <p>
 * Threading: the poller's thread, the only writer of those two counters.
 */
final class VifKickListener implements KickBackoff.Listener
{
    private final EpollWaitPoint kicks;
    /** The poller's backends by bit (replaced at configuration time). */
    VifBackend[] backends = new VifBackend[0];

    /** @param kicks the poller's epoll wait point, or null (no guest kicks through an eventfd). */
    VifKickListener(final EpollWaitPoint kicks)
    {
        this.kicks = kicks;
    }

    @Override
    public boolean listen(final int bit, final boolean listen)
    {
        return kicks != null && backends[bit].muteKick(kicks, !listen);
    }

    @Override
    public void spurious(final int bit, final boolean backoffStarted)
    {
        final VifCounters counters = backends[bit].counters();
        counters.add(VifCounters.KICKS_SPURIOUS, 1);
        if (backoffStarted)
        {
            counters.add(VifCounters.KICK_BACKOFFS, 1);
        }
    }
}

package io.pvnet.engine.control;

import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.share.LinuxCalls;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One vif guests may attach to, as the {@link GuestControlServer} keeps it: the guest holding it and the memory it was
 * given (its {@link GuestShare} and kick eventfd). A new guest gets fresh memory; what the previous guest held is closed
 * only after the vif's backend has been moved off it ({@link #installShare}, {@link #closeShare}).
 * <p>
 * Threading: the threads serving guest connections and the thread closing the server, each holding this slot's monitor
 * for everything but a read of {@link #guest()} (volatile: {@code attachedPid} and {@code close} read it unlocked). The
 * backend's agent thread only reads what {@link io.pvnet.engine.VifBackend#useShare} handed it.
 */
final class VifSlot
{
    private static final long CLOSE_WAIT_NS = TimeUnit.SECONDS.toNanos(2);
    /** How long an attach to a vif still held waits for its guest's departure to be seen before it is refused. */
    private static final long DEPARTURE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(500);

    final GuestControlServer.Vif vif;
    /** The serving process's kind, recorded in each share so its guest can name this process ({@link ProcessKind}). */
    private final String kind;
    private volatile GuestSession guest;
    private GuestShare share;
    private int kickFd = -1;

    VifSlot(final GuestControlServer.Vif vif, final String kind)
    {
        this.vif = vif;
        this.kind = kind;
    }

    /** {@return the guest attached now, or null} Any thread. */
    GuestSession guest()
    {
        return guest;
    }

    /**
     * Sets the guest attached now (null: none, which wakes an attach waiting in {@link #awaitDeparture}). Holding the
     * monitor.
     */
    void guest(final GuestSession session)
    {
        guest = session;
        if (session == null)
        {
            notifyAll();
        }
    }

    /** {@return the kick eventfd of the share in force, or -1} Holding the monitor. */
    int kickFd()
    {
        return kickFd;
    }

    /**
     * A guest that restarts at once can attach before the thread serving its previous connection has seen that
     * connection close (the frontend already went to Closed): wait up to {@link #DEPARTURE_WAIT_NS} for that detach
     * before refusing, so a restart is not refused while a second live guest still is. Holding the monitor.
     */
    void awaitDeparture()
    {
        final long deadline = System.nanoTime() + DEPARTURE_WAIT_NS;
        long left;
        while (guest != null && (left = deadline - System.nanoTime()) > 0)
        {
            try
            {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Gives the vif fresh memory for a new guest: a sealed share and a kick eventfd, handed to the backend, then closes
     * the previous guest's (the backend left them when it reached Closed; it is waited for, at most 2 s, when a share
     * was in force). Holding the monitor.
     *
     * @return the new share ({@link #kickFd()} is its kick eventfd).
     */
    GuestShare installShare()
    {
        if (share != null)
        {
            awaitNotConnected();
        }
        final GuestShare fresh = GuestShare.create(vif.config(), kind);
        final int freshKickFd;
        try
        {
            freshKickFd = LinuxCalls.eventfd();
        }
        catch (final RuntimeException ex)
        {
            fresh.close();
            throw ex;
        }
        // the backend's poller watches the new kick fd and stops watching the previous guest's before it is closed
        vif.backend().useShare(fresh.region(), freshKickFd);
        replace(fresh, freshKickFd);
        return fresh;
    }

    /** Moves the backend off the share and closes it; after the backends stopped running. Holding the monitor. */
    void closeShare()
    {
        vif.backend().useShare(null, -1); // the poller stops watching the kick fd before it is closed
        replace(null, -1);
    }

    private void replace(final GuestShare next, final int nextKickFd)
    {
        final GuestShare previous = share;
        final int previousKickFd = kickFd;
        share = next;
        kickFd = nextKickFd;
        if (previous != null)
        {
            previous.close();
        }
        LinuxCalls.close(previousKickFd);
    }

    private void awaitNotConnected()
    {
        final long deadline = System.nanoTime() + CLOSE_WAIT_NS;
        while (vif.backend().state() == XenbusState.CONNECTED && System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        // the agent may be finishing its last duty cycle on the old share
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
}

package io.pvnet.engine.control;

import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.LinuxException;
import io.pvnet.ring.share.PeerCredentials;

/**
 * One attached guest's control connection, as the {@link GuestControlServer} serves it: who it is
 * ({@code SO_PEERCRED}), its vif's {@link VifSlot}, the backend keys last pushed to it (its watch events), and its
 * frontend's counters as last reported. Also Xen's permission rule for its store writes ({@link #mayWrite}).
 * <p>
 * A push never waits: one watch thread pushes to every guest, and a guest that stopped reading (hostile, or hung)
 * must not hold back the others' watch events, their attaches included. A push that finds the connection's buffer
 * full (about 280 unread messages) disconnects this guest instead ({@link #overrun()}): its serving thread sees the
 * connection end and detaches it, as if the guest had died. A guest that reads sees a few messages per state change
 * of its own vif, far from that.
 * <p>
 * Threading: the thread serving the connection calls {@link #addFrontCounters} and {@link #mayWrite}; the watch
 * thread and the attaching thread push backend keys through {@link #publishBackendKeys}, which holds this session's
 * monitor, so a push is one ordered sequence of messages.
 */
final class GuestSession
{
    final VifSlot slot;
    final ControlSocket connection;
    final PeerCredentials peer;
    private final StoreMirror backendKeys;
    private final StoreMirror.Sender sender = this::send;
    /** The frontend's counts as last reported (serving thread). */
    private final long[] reported = new long[VifCounters.FRONT_KIND_COUNT];
    /** Set by {@link #close()}, under this session's monitor: no push after it. */
    private boolean closed;
    /** Set by a push that found the connection's buffer full, under this session's monitor: no push after it. */
    private volatile boolean overrun;

    GuestSession(final VifSlot slot, final ControlSocket connection, final PeerCredentials peer, final XenStore store)
    {
        this.slot = slot;
        this.connection = connection;
        this.peer = peer;
        this.backendKeys = new StoreMirror(store, slot.vif.config().backendDir());
    }

    /** {@return the vif's name and the guest's pid, for log lines} */
    String name()
    {
        return slot.vif.config().name() + " pid " + peer.pid();
    }

    /**
     * Sends what changed in the vif's backend directory since the last push (watch events); nothing once
     * {@link #close() closed}. Any thread.
     */
    synchronized void publishBackendKeys()
    {
        if (!closed && !overrun)
        {
            backendKeys.publishChanges(sender);
        }
    }

    /**
     * Closes the connection. The descriptor is freed under this session's monitor, so a push the watch thread began (it
     * may have taken this session from its set just before the detach removed it) ends first, and none follows: a send
     * after the close would go to whatever socket the process opened since under the same descriptor number, another
     * guest's. The shutdown first, outside the monitor, ends any send still under way (it keeps the descriptor number
     * taken). Serving thread, once detached.
     */
    void close()
    {
        connection.shutdown();
        synchronized (this)
        {
            closed = true;
            connection.close();
        }
    }

    /**
     * {@return whether a push found the connection's buffer full and disconnected the guest (it stopped reading); any
     * thread}
     */
    boolean overrun()
    {
        return overrun;
    }

    /** {@return whether {@link #close()} closed the connection (for tests)} */
    synchronized boolean closed()
    {
        return closed;
    }

    /**
     * Xen's permission model: a frontend writes and removes keys of its own directory only (EACCES elsewhere); a path
     * that climbs or names its directory itself ({@code ..}, {@code .}, {@code //}) is refused too.
     *
     * @param key the store key the guest wants to write or remove.
     * @return whether it may.
     */
    boolean mayWrite(final String key)
    {
        final String frontendDir = slot.vif.config().frontendDir() + "/";
        return key.startsWith(frontendDir) && key.length() != frontendDir.length() && !key.contains("//") &&
            !key.contains("/../") && !key.endsWith("/..") && !key.contains("/./") && !key.endsWith("/.");
    }

    /**
     * A guest's report of its frontend's counters: what grew since its last report is added to the vif's
     * {@code front-*} counters in the host's file (the serving thread is their only writer while the guest is
     * attached). A count that went down (a lying guest) adds nothing; the guest can only misstate its own vif's figures.
     */
    void addFrontCounters(final long[] counts)
    {
        final VifCounters counters = slot.vif.backend().counters();
        for (int i = 0; i < Math.min(counts.length, reported.length); i++)
        {
            final long grown = counts[i] - reported[i];
            if (grown > 0)
            {
                counters.add(VifCounters.FRONT_TX_PACKETS + i, grown);
                reported[i] = counts[i];
            }
        }
    }

    /** One message of a push (under this session's monitor). */
    private void send(final ControlMessage message)
    {
        if (overrun)
        {
            return; // the rest of a push that found the buffer full
        }
        try
        {
            if (!connection.trySend(message.encode()))
            {
                overrun = true;
                connection.shutdown(); // its serving thread's receive ends: it detaches the guest and logs why
            }
        }
        catch (final LinuxException gone)
        {
            // the reader thread sees the end of the connection and detaches
        }
    }
}

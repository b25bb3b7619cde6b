package io.pvnet.engine.control;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.LinuxException;
import io.pvnet.ring.share.PeerCredentials;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The switch's end of every guest's control connection (pvnet's XenBus and XenStore daemon for cross-process guests).
 * <ul>
 * <li><b>Attach</b>: a guest connects, says which vif; it is served only if {@code SO_PEERCRED} names the vif's owner
 * uid and no other guest holds the vif (else one REFUSED line naming why, and the connection is closed; a holder whose
 * connection is closing, as when a guest restarts at once, is waited for up to half a second first). It gets a
 * fresh {@link GuestShare} (sealed memfd) that the vif's backend then serves.</li>
 * <li><b>Store</b> with Xen's permissions: a guest writes and removes only keys under its vif's frontend directory
 * (others are refused and counted); it reads its own keys (it wrote them) and its backend's, pushed to it as watch
 * events whenever they change. Nothing else of the store reaches it.</li>
 * <li><b>Liveness</b>: a guest's death ends its connection at once (the kernel closes the socket); the switch then
 * removes its frontend keys and writes Closed, so the backend goes to Closed at once, and the vif accepts a new guest.
 * The switch's death ends every guest's connection the same way.</li>
 * </ul>
 * Threading: one acceptor thread, one reader thread per guest (blocked in {@code recvmsg} while idle), one watch thread
 * that pushes store changes to attached guests: every millisecond for 200 ms after any guest message (a negotiation
 * answers within a millisecond), at once when the host thread reports a store change ({@link #storeChanged()}), and
 * once a second otherwise; not at all while idle when the host thread reports every change
 * ({@link #hostReportsStoreChanges()}: an idle switch's watch thread sleeps).
 * The backends run on their own agent thread; this class only calls {@link VifBackend#useShare} and reads states.
 * <p>
 * Why one file of this length (about 418 lines of code, the rest javadoc): one guest connection's attach, store
 * requests, watches and liveness are one state machine per vif slot, read best in one place.
 */
public final class GuestControlServer implements AutoCloseable
{
    private static final long WATCH_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * With no guest message for {@link #FAST_WATCH_NS}, and nobody calling {@link #storeChanged()}: how long a store
     * change made by the host alone may wait (the switch's host thread calls {@link #storeChanged()} at once).
     */
    private static final long IDLE_WATCH_PERIOD_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long FAST_WATCH_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long CLOSE_WAIT_NS = TimeUnit.SECONDS.toNanos(2);
    /** How long an attach to a vif still held waits for its guest's departure to be seen before it is refused. */
    private static final long DEPARTURE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(500);

    /** A vif guests may attach to. */
    public record Vif(VifConfig config, VifBackend backend, int ownerUid)
    {
    }

    private final ControlSocket listener;
    private final XenStore store;
    private final Map<Integer, Slot> slots = new ConcurrentHashMap<>();
    private final java.util.Set<Guest> attached = ConcurrentHashMap.newKeySet();
    private volatile long fastUntilNs;
    private volatile boolean hostReports;
    private final PrintStream log;
    private final Thread acceptor;
    private final Thread watcher;
    private volatile boolean running = true;
    private volatile AdminService admin;

    private final AtomicLong attaches = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong deniedWrites = new AtomicLong();
    private final AtomicLong protocolErrors = new AtomicLong();

    /**
     * @param listener the listening control socket (closed by {@link #close()}).
     * @param store    the host's store (never mapped by guests).
     * @param vifs     the vifs guests may attach to, by domid (handle 0).
     * @param log      where one line per attach, refusal and detach goes.
     */
    public GuestControlServer(final ControlSocket listener, final XenStore store, final Iterable<Vif> vifs,
        final PrintStream log)
    {
        this.listener = listener;
        this.store = store;
        this.log = log;
        for (final Vif vif : vifs)
        {
            slots.put(vif.config().domid(), new Slot(vif));
        }
        acceptor = Thread.ofPlatform().daemon().name("pvnet-control-accept").unstarted(this::acceptLoop);
        watcher = Thread.ofPlatform().daemon().name("pvnet-control-watch").unstarted(this::watchLoop);
    }

    /**
     * Also serves the administrator's tools ({@code pvnet stat}, {@code pvnet ifconfig}) on this socket: a connection
     * whose first message is an {@link AdminMessage} goes to {@code service}. Call before {@link #start()}.
     */
    public GuestControlServer admin(final AdminService service)
    {
        this.admin = service;
        service.onWrite(domid ->
        {
            final Slot slot = slots.get(domid);
            if (slot != null)
            {
                slot.vif.backend().wake(); // an idle host thread applies the setting now
            }
        });
        return this;
    }

    /** Starts accepting guests. */
    public GuestControlServer start()
    {
        acceptor.start();
        watcher.start();
        return this;
    }

    /** @return guests attached so far. */
    public long attaches()
    {
        return attaches.get();
    }

    /** @return attach requests refused (credentials, vif taken, no such vif, bad first message). */
    public long refused()
    {
        return refused.get();
    }

    /** @return store writes outside the guest's frontend directory, refused. */
    public long deniedWrites()
    {
        return deniedWrites.get();
    }

    /** @return connections closed for a malformed message. */
    public long protocolErrors()
    {
        return protocolErrors.get();
    }

    /** @return the pid attached to vif {@code domid}, or 0. */
    public int attachedPid(final int domid)
    {
        final Slot slot = slots.get(domid);
        final Guest guest = slot == null ? null : slot.guest;
        return guest == null ? 0 : guest.peer.pid();
    }

    private void acceptLoop()
    {
        while (running)
        {
            final ControlSocket connection;
            try
            {
                connection = listener.accept();
            }
            catch (final RuntimeException ex)
            {
                log.println("pvnet switch: control socket: " + ex.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                continue;
            }
            if (connection == null)
            {
                return;
            }
            Thread.ofPlatform().daemon().name("pvnet-control-guest").start(() -> serve(connection));
        }
    }

    private void serve(final ControlSocket connection)
    {
        Guest guest = null;
        try
        {
            guest = attach(connection);
            if (guest == null)
            {
                return;
            }
            while (running)
            {
                final ControlSocket.Message received = connection.receive(0);
                if (received == null)
                {
                    return; // the guest closed its end or died
                }
                final ControlMessage message = ControlMessage.decode(received.data());
                poke();
                switch (message.type())
                {
                    case ControlMessage.WRITE, ControlMessage.REMOVE -> storeOperation(guest, message);
                    case ControlMessage.COUNTERS -> frontCounters(guest, message);
                    default -> throw new IllegalArgumentException("unexpected control message type=" + message.type());
                }
            }
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            protocolErrors.incrementAndGet();
            log.println("pvnet switch: control: " + describe(guest, connection) + ": " + ex.getMessage() +
                "; connection closed");
        }
        catch (final RuntimeException ex)
        {
            log.println("pvnet switch: control: " + describe(guest, connection) + ": " + ex + "; connection closed");
        }
        finally
        {
            if (guest != null)
            {
                detach(guest);
            }
            connection.close();
        }
    }

    private Guest attach(final ControlSocket connection)
    {
        final PeerCredentials peer = connection.peer();
        final ControlSocket.Message first = connection.receive(0);
        if (first == null)
        {
            return null;
        }
        if (AdminMessage.isAdmin(first.data()))
        {
            final AdminService service = admin;
            if (service == null)
            {
                throw new IllegalArgumentException("no administration on this control socket");
            }
            service.serve(connection, peer, first.data());
            return null;
        }
        final ControlMessage request = ControlMessage.decode(first.data());
        if (request.type() != ControlMessage.ATTACH)
        {
            return refuse(connection, peer, "the first message must be ATTACH");
        }
        final Slot slot = slots.get(request.domid());
        if (slot == null || request.handle() != 0)
        {
            return refuse(connection, peer, "no " + VifConfig.name(request.domid(), request.handle()) + " on this switch");
        }
        if (peer.uid() != slot.vif.ownerUid())
        {
            return refuse(connection, peer, "uid " + peer.uid() + " may not attach " + slot.vif.config().name() +
                " (its owner is uid " + slot.vif.ownerUid() + "; see switch --vif-owner)");
        }
        final Guest guest;
        synchronized (slot)
        {
            if (slot.guest != null)
            {
                awaitDetached(slot);
            }
            if (slot.guest != null)
            {
                return refuse(connection, peer, slot.vif.config().name() + " is already attached by pid " +
                    slot.guest.peer.pid());
            }
            if (slot.share != null)
            {
                awaitNotConnected(slot);
            }
            final GuestShare share = GuestShare.create(slot.vif.config());
            final int kickFd;
            try
            {
                kickFd = io.pvnet.ring.share.LinuxCalls.eventfd();
            }
            catch (final RuntimeException ex)
            {
                share.close();
                throw ex;
            }
            // the backend's poller watches the new kick fd and stops watching the previous guest's before it is closed
            slot.vif.backend().useShare(share.region(), kickFd);
            slot.pendingShare = slot.share;
            slot.pendingKickFd = slot.kickFd;
            slot.closePrevious(); // the previous guest's memory and kick fd: the backend left them when it reached Closed
            slot.share = share;
            slot.kickFd = kickFd;
            guest = new Guest(slot, connection, peer);
            synchronized (guest)
            {
                connection.send(ControlMessage.attached(GuestShare.lengthBytes(slot.vif.config().queues())).encode(),
                    share.fd(), kickFd);
                guest.backendKeys.publishChanges(guest.sender);
            }
            slot.guest = guest;
            attached.add(guest);
        }
        poke();
        attaches.incrementAndGet();
        log.println("pvnet switch: " + slot.vif.config().name() + " attached by pid " + peer.pid() + " uid " + peer.uid());
        return guest;
    }

    private Guest refuse(final ControlSocket connection, final PeerCredentials peer, final String reason)
    {
        refused.incrementAndGet();
        log.println("pvnet switch: refused pid " + peer.pid() + " uid " + peer.uid() + ": " + reason);
        try
        {
            connection.send(ControlMessage.refused(reason).encode());
        }
        catch (final LinuxException gone)
        {
            // the peer did not wait for the answer
        }
        return null;
    }

    private void storeOperation(final Guest guest, final ControlMessage message)
    {
        final String key = message.key();
        final String frontendDir = guest.slot.vif.config().frontendDir() + "/";
        if (!key.startsWith(frontendDir) || key.length() == frontendDir.length() || key.contains("//") ||
            key.contains("/../") || key.endsWith("/..") || key.contains("/./") || key.endsWith("/."))
        {
            // Xen's permission model: a frontend writes its own directory only (EACCES elsewhere)
            if (deniedWrites.incrementAndGet() % 1_000 == 1)
            {
                log.println("pvnet switch: " + guest.slot.vif.config().name() + " pid " + guest.peer.pid() +
                    ": store write outside its frontend directory refused: " + key + " (" + deniedWrites.get() +
                    " so far)");
            }
            return;
        }
        if (message.type() == ControlMessage.WRITE)
        {
            store.write(key, message.value());
        }
        else
        {
            store.remove(key);
        }
        // the host thread may sleep: it visits the vif (and, the store having changed, every vif) now
        guest.slot.vif.backend().wake();
    }

    /**
     * A guest's report of its frontend's counters: what grew since its last report is added to the vif's
     * {@code front-*} counters in the host's file (this thread is their only writer while the guest is attached). A
     * count that went down (a lying guest) adds nothing; the guest can only misstate its own vif's figures.
     */
    private static void frontCounters(final Guest guest, final ControlMessage message)
    {
        final long[] counts = message.counts();
        final io.pvnet.engine.vif.VifCounters counters = guest.slot.vif.backend().counters();
        for (int i = 0; i < Math.min(counts.length, guest.reported.length); i++)
        {
            final long grown = counts[i] - guest.reported[i];
            if (grown > 0)
            {
                counters.add(io.pvnet.engine.vif.VifCounters.FRONT_TX_PACKETS + i, grown);
                guest.reported[i] = counts[i];
            }
        }
    }

    private void detach(final Guest guest)
    {
        final Slot slot = guest.slot;
        synchronized (slot)
        {
            if (slot.guest != guest)
            {
                return;
            }
            slot.guest = null;
            attached.remove(guest);
            // as if the frontend had gone to Closed: the backend leaves Connected at once and accepts a new frontend
            final String frontendDir = slot.vif.config().frontendDir();
            store.removeTree(frontendDir + "/");
            store.writeState(frontendDir, XenbusState.CLOSED);
            slot.notifyAll(); // an attach waiting in awaitDetached
        }
        // a sleeping host thread sees the death now, not at its next housekeeping round
        slot.vif.backend().wake();
        log.println("pvnet switch: " + slot.vif.config().name() + " detached: pid " + guest.peer.pid() +
            " closed its connection or died");
    }

    /**
     * A guest that restarts at once can attach before the thread serving its previous connection has seen that
     * connection close (the frontend already went to Closed): wait up to {@link #DEPARTURE_WAIT_NS} for that detach
     * before refusing, so a restart is not refused while a second live guest still is. Holds the slot's monitor.
     */
    private static void awaitDetached(final Slot slot)
    {
        final long deadline = System.nanoTime() + DEPARTURE_WAIT_NS;
        long left;
        while (slot.guest != null && (left = deadline - System.nanoTime()) > 0)
        {
            try
            {
                TimeUnit.NANOSECONDS.timedWait(slot, left);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void awaitNotConnected(final Slot slot)
    {
        final long deadline = System.nanoTime() + CLOSE_WAIT_NS;
        while (slot.vif.backend().state() == XenbusState.CONNECTED && System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        // the agent may be finishing its last duty cycle on the old share
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }

    /**
     * The store changed (a backend's write, seen by the thread serving the backends): the watch thread pushes the
     * change to the guests now. Any thread; allocation-free.
     */
    public void storeChanged()
    {
        LockSupport.unpark(watcher);
    }

    /**
     * The thread serving the backends calls {@link #storeChanged()} in each cycle that finds the store changed (the
     * switch wires {@code VifPoller.onStoreChange}): the watch thread then sleeps while no guest talks, instead of
     * looking once a second for changes nobody reported. Call before {@link #start()}.
     */
    public GuestControlServer hostReportsStoreChanges()
    {
        hostReports = true;
        return this;
    }

    private void poke()
    {
        fastUntilNs = System.nanoTime() + FAST_WATCH_NS;
        LockSupport.unpark(watcher);
    }

    private void watchLoop()
    {
        while (running)
        {
            for (final Guest guest : attached)
            {
                synchronized (guest)
                {
                    guest.backendKeys.publishChanges(guest.sender);
                }
            }
            if (System.nanoTime() - fastUntilNs < 0)
            {
                LockSupport.parkNanos(WATCH_PERIOD_NS);
            }
            else if (hostReports)
            {
                LockSupport.park(); // until a guest message, storeChanged() or close()
            }
            else
            {
                LockSupport.parkNanos(IDLE_WATCH_PERIOD_NS);
            }
        }
    }

    private static String describe(final Guest guest, final ControlSocket connection)
    {
        if (guest != null)
        {
            return guest.slot.vif.config().name() + " pid " + guest.peer.pid();
        }
        try
        {
            return "pid " + connection.peer().pid();
        }
        catch (final RuntimeException ex)
        {
            return "a guest";
        }
    }

    /** Stops accepting, closes every guest's connection (each guest sees the switch go) and every share. */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(watcher);
        listener.close();
        for (final Slot slot : slots.values())
        {
            final Guest guest = slot.guest;
            if (guest != null)
            {
                guest.connection.shutdown();
            }
        }
        try
        {
            acceptor.join(1_000);
            watcher.join(1_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the shares; call after the backends stopped running. */
    public void closeShares()
    {
        for (final Slot slot : slots.values())
        {
            synchronized (slot)
            {
                slot.vif.backend().useShare(null, -1); // the poller stops watching the kick fd before it is closed
                slot.pendingShare = slot.share;
                slot.pendingKickFd = slot.kickFd;
                slot.share = null;
                slot.kickFd = -1;
                slot.closePrevious();
            }
        }
    }

    private static final class Slot
    {
        final Vif vif;
        volatile Guest guest;
        GuestShare share;
        int kickFd = -1;
        GuestShare pendingShare;
        int pendingKickFd = -1;

        Slot(final Vif vif)
        {
            this.vif = vif;
        }

        /** Closes what the slot held before the share in force (set aside by the caller). */
        void closePrevious()
        {
            if (pendingShare != null)
            {
                pendingShare.close();
                pendingShare = null;
            }
            io.pvnet.ring.share.LinuxCalls.close(pendingKickFd);
            pendingKickFd = -1;
        }
    }

    private final class Guest
    {
        final Slot slot;
        final ControlSocket connection;
        final PeerCredentials peer;
        final StoreMirror backendKeys;
        final StoreMirror.Sender sender = this::send;
        /** The frontend's counts as last reported (serving thread). */
        final long[] reported = new long[io.pvnet.engine.vif.VifCounters.FRONT_KIND_COUNT];

        Guest(final Slot slot, final ControlSocket connection, final PeerCredentials peer)
        {
            this.slot = slot;
            this.connection = connection;
            this.peer = peer;
            this.backendKeys = new StoreMirror(store, slot.vif.config().backendDir());
        }

        void send(final ControlMessage message)
        {
            try
            {
                connection.send(message.encode());
            }
            catch (final LinuxException gone)
            {
                // the reader thread sees the end of the connection and detaches
            }
        }
    }
}

package io.pvnet.engine.control;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.region.RegionDescriptor;
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
 * ({@link WatchPusher}) that pushes store changes to attached guests, at once when the host thread reports a store
 * change ({@link #storeChanged()}). The backends run on their own agent thread; this class only calls
 * {@link VifBackend#useShare} and reads states.
 * <p>
 * This class holds the attach and detach decisions and the serving loop; each vif's guest and memory are its
 * {@link VifSlot} (attach and detach hold the slot's monitor), each attached guest's connection a
 * {@link GuestSession}.
 */
public final class GuestControlServer implements AutoCloseable
{
    /** A vif guests may attach to. */
    public record Vif(VifConfig config, VifBackend backend, int ownerUid)
    {
    }

    private final ControlSocket listener;
    private final XenStore store;
    private final Map<Integer, VifSlot> slots = new ConcurrentHashMap<>();
    private final WatchPusher watches = new WatchPusher();
    private final PrintStream log;
    /** The log lines' prefix: "pvnet switch", "pvnet vif-run". */
    private final String command;
    /** The process in refusals: "this switch", "this vif-run process". */
    private final String self;
    private final Thread acceptor;
    private volatile boolean running = true;
    private volatile AdminService admin;

    private final AtomicLong attaches = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong deniedWrites = new AtomicLong();
    private final AtomicLong protocolErrors = new AtomicLong();
    private final AtomicLong overruns = new AtomicLong();

    /**
     * @param listener the listening control socket (closed by {@link #close()}).
     * @param store    the host's store (never mapped by guests).
     * @param vifs     the vifs guests may attach to, by domid (handle 0).
     * @param log      where one line per attach, refusal and detach goes.
     */
    public GuestControlServer(final ControlSocket listener, final XenStore store, final Iterable<Vif> vifs,
        final PrintStream log)
    {
        this(listener, store, vifs, RegionDescriptor.ROLE_SWITCH, log);
    }

    /**
     * @param listener the listening control socket (closed by {@link #close()}).
     * @param store    the host's store (never mapped by guests).
     * @param vifs     the vifs guests may attach to, by domid (handle 0).
     * @param kind     what the serving process is, as its region's header records it:
     *                 {@link RegionDescriptor#ROLE_SWITCH} or {@link RegionDescriptor#ROLE_VIF_RUN} (or, for a process
     *                 without a status file, its pvnet command: {@code bench}, {@code latency}); log lines and
     *                 refusals name it ({@code pvnet vif-run: ...}, {@code no vif1.0 on this vif-run process}), and so
     *                 do its guests: it is recorded in each share's header ({@link GuestShare#create}), so it must
     *                 be a role ({@link RegionDescriptor#isRole}: 1..8 of {@code a-z 0-9 -}).
     * @param log      where one line per attach, refusal and detach goes.
     * @throws IllegalArgumentException naming {@code kind} when it is no role (every attach would fail later).
     */
    public GuestControlServer(final ControlSocket listener, final XenStore store, final Iterable<Vif> vifs,
        final String kind, final PrintStream log)
    {
        if (!RegionDescriptor.isRole(kind))
        {
            throw new IllegalArgumentException("kind=" + kind + " is no role (1.." +
                RegionDescriptor.CREATOR_ROLE_LENGTH + " of a-z, 0-9, -)");
        }
        this.listener = listener;
        this.store = store;
        this.log = log;
        this.command = ProcessKind.command(kind);
        this.self = "this " + ProcessKind.noun(kind);
        for (final Vif vif : vifs)
        {
            slots.put(vif.config().domid(), new VifSlot(vif, kind));
        }
        acceptor = Thread.ofPlatform().daemon().name("pvnet-control-accept").unstarted(this::acceptLoop);
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
            final VifSlot slot = slots.get(domid);
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
        watches.start();
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

    /** @return guests disconnected because they stopped reading their connection (a push found its buffer full). */
    public long overruns()
    {
        return overruns.get();
    }

    /** @return the pid attached to vif {@code domid}, or 0. */
    public int attachedPid(final int domid)
    {
        final VifSlot slot = slots.get(domid);
        final GuestSession guest = slot == null ? null : slot.guest();
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
                log.println(command + ": control socket: " + ex.getMessage());
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
        GuestSession guest = null;
        String why = "closed its connection or died";
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
                    return; // the guest closed its end or died, or was disconnected for not reading (overrun)
                }
                final ControlMessage message = ControlMessage.decode(received.data());
                watches.poke();
                switch (message.type())
                {
                    case ControlMessage.WRITE, ControlMessage.REMOVE -> storeOperation(guest, message);
                    case ControlMessage.COUNTERS -> guest.addFrontCounters(message.counts());
                    default -> throw new IllegalArgumentException("unexpected control message type=" + message.type());
                }
            }
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            why = "disconnected for a protocol error";
            protocolErrors.incrementAndGet();
            log.println(command + ": control: " + describe(guest, connection) + ": " + ex.getMessage() +
                "; connection closed");
        }
        catch (final RuntimeException ex)
        {
            why = "disconnected for an error";
            log.println(command + ": control: " + describe(guest, connection) + ": " + ex + "; connection closed");
        }
        finally
        {
            if (guest != null)
            {
                try
                {
                    final boolean overrun = guest.overrun();
                    detach(guest, overrun ?
                        "stopped reading its control connection (watch events backed up); disconnected" : why);
                    if (overrun)
                    {
                        overruns.incrementAndGet(); // after the line: a reader of the count finds it logged
                    }
                }
                finally
                {
                    guest.close(); // after any push the watch thread began: none reaches a reused descriptor
                }
            }
            else
            {
                connection.close();
            }
        }
    }

    private GuestSession attach(final ControlSocket connection)
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
        final VifSlot slot = slots.get(request.domid());
        if (slot == null || request.handle() != 0)
        {
            return refuse(connection, peer, "no " + VifConfig.name(request.domid(), request.handle()) + " on " + self);
        }
        if (peer.uid() != slot.vif.ownerUid())
        {
            return refuse(connection, peer, "uid " + peer.uid() + " may not attach " + slot.vif.config().name() +
                " (its owner is uid " + slot.vif.ownerUid() + "; see switch --vif-owner)");
        }
        final GuestSession guest;
        synchronized (slot)
        {
            if (slot.guest() != null)
            {
                slot.awaitDeparture();
            }
            final GuestSession holder = slot.guest();
            if (holder != null)
            {
                return refuse(connection, peer, slot.vif.config().name() + " is already attached by pid " +
                    holder.peer.pid());
            }
            final GuestShare share = slot.installShare();
            guest = new GuestSession(slot, connection, peer, store);
            synchronized (guest)
            {
                connection.send(ControlMessage.attached(GuestShare.lengthBytes(slot.vif.config().queues())).encode(),
                    share.fd(), slot.kickFd());
                guest.publishBackendKeys();
            }
            slot.guest(guest);
            watches.add(guest);
        }
        watches.poke();
        attaches.incrementAndGet();
        log.println(command + ": " + slot.vif.config().name() + " attached by pid " + peer.pid() + " uid " +
            peer.uid());
        return guest;
    }

    private GuestSession refuse(final ControlSocket connection, final PeerCredentials peer, final String reason)
    {
        refused.incrementAndGet();
        log.println(command + ": refused pid " + peer.pid() + " uid " + peer.uid() + ": " + reason);
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

    private void storeOperation(final GuestSession guest, final ControlMessage message)
    {
        final String key = message.key();
        if (!guest.mayWrite(key))
        {
            if (deniedWrites.incrementAndGet() % 1_000 == 1)
            {
                log.println(command + ": " + guest.name() + ": store write outside its frontend directory refused: " +
                    key + " (" + deniedWrites.get() + " so far)");
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

    private void detach(final GuestSession guest, final String why)
    {
        final VifSlot slot = guest.slot;
        synchronized (slot)
        {
            if (slot.guest() != guest)
            {
                return;
            }
            slot.guest(null); // an attach waiting in awaitDeparture goes on once this monitor is free
            watches.remove(guest);
            // as if the frontend had gone to Closed: the backend leaves Connected at once and accepts a new frontend
            final String frontendDir = slot.vif.config().frontendDir();
            store.removeTree(frontendDir + "/");
            store.writeState(frontendDir, XenbusState.CLOSED);
        }
        // a sleeping host thread sees the death now, not at its next housekeeping round
        slot.vif.backend().wake();
        log.println(command + ": " + slot.vif.config().name() + " detached: pid " + guest.peer.pid() + " " + why);
    }

    /**
     * The store changed (a backend's write, seen by the thread serving the backends): the watch thread pushes the
     * change to the guests now. Any thread; allocation-free.
     */
    public void storeChanged()
    {
        watches.storeChanged();
    }

    /**
     * The thread serving the backends calls {@link #storeChanged()} in each cycle that finds the store changed (the
     * switch wires {@code VifPoller.onStoreChange}): the watch thread then sleeps while no guest talks, instead of
     * looking once a second for changes nobody reported. Call before {@link #start()}.
     */
    public GuestControlServer hostReportsStoreChanges()
    {
        watches.hostReportsStoreChanges();
        return this;
    }

    private static String describe(final GuestSession guest, final ControlSocket connection)
    {
        if (guest != null)
        {
            return guest.name();
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
        try
        {
            listener.close();
            for (final VifSlot slot : slots.values())
            {
                final GuestSession guest = slot.guest();
                if (guest != null)
                {
                    guest.connection.shutdown();
                }
            }
            acceptor.join(1_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            // whatever happened above (an interrupt in the join, a socket that would not close), the watch thread
            // stops: WatchPusher.close clears its flag and unparks it before it waits, so an interrupt (pending or new)
            // cuts only the wait short
            try
            {
                watches.close();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the shares; call after the backends stopped running. */
    public void closeShares()
    {
        for (final VifSlot slot : slots.values())
        {
            synchronized (slot)
            {
                slot.closeShare();
            }
        }
    }
}

package io.pvnet.engine.control;

import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.store.StoreDescriptor;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.LinuxCalls;
import io.pvnet.ring.share.LinuxException;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * A cross-process guest's end of its control connection: attaches to one vif of a switch, adopts the memory the
 * switch hands over ({@link GuestShare}) and keeps a private store in step with the switch's: the switch's watch
 * events for the vif's backend directory are applied to it, and what the guest writes under its frontend directory
 * is sent as store writes. The guest's netfront uses that private store and the share, and maps nothing else of the
 * host.
 * <p>
 * The frontend's own counters ({@link #frontCounters()}, the {@code front-*} kinds) live in this process; {@link #sync()}
 * reports their totals to the switch ({@link ControlMessage#COUNTERS}) at most every {@link #REPORT_PERIOD_NS} while
 * they change, and {@link #close()} once more, so {@code pvnet stat} on the host shows them live in the host's counters
 * file, which no guest can write.
 * <p>
 * The switch's death or restart ends the connection at once: {@link #goneReason()} turns non-null within
 * milliseconds (the reader thread is blocked in {@code recvmsg} and returns at end of stream).
 * <p>
 * The host may be a {@code pvnet switch} or a bench's host process: once attached, every message names it as the
 * kind it records in the share's header ({@link #server()}: {@code the bench process closed the control connection
 * ...}); before a share, and from a host that records none, it is the kind the caller expects ({@code the switch},
 * or on a reconnect the kind of the host it lost).
 * <p>
 * Threading: {@link #sync()} on the guest's duty thread (the one running the netfront); a reader thread receives.
 */
public final class GuestControlClient implements AutoCloseable
{
    private static final int MIRROR_ENTRIES = 256;
    /** Shortest time between two reports of the frontend's counters: 100 ms. */
    public static final long REPORT_PERIOD_NS = 100_000_000L;
    /** Longest time an attach waiting for its answer goes without looking at its stop: 50 ms. */
    public static final long ANSWER_SLICE_NS = 50_000_000L;

    private final ControlSocket socket;
    /** What the host is: "switch", "bench" ({@link ProcessKind}), from the share's header or as expected. */
    private final String serverKind;
    /** The host as messages name it: "the switch", "the bench process" ({@link ProcessKind}). */
    private final String server;
    private final GuestShare share;
    private final int kickFd;
    /** The vif's event section in the share, or null. */
    private final io.pvnet.ring.region.RegionSection eventSection;
    /** A multi-queue share's guest selector section, or null. */
    private final io.pvnet.ring.region.RegionSection selectorSection;
    /** The host's end of queue 0's channel as seen from here, raising the guest's selector once it is laid out. */
    private io.pvnet.ring.event.EventChannel selfWake;
    private boolean selfWakeHasSelector;
    private volatile boolean shareClosed;
    private final XenStore store;
    private final StoreMirror frontendKeys;
    private final ConcurrentLinkedQueue<ControlMessage> events = new ConcurrentLinkedQueue<>();
    private final Thread reader;
    private final StoreMirror.Sender frontendSender = this::sendFrontendChange;
    private int sentThisSync;
    private volatile String goneReason;
    private volatile long goneAtNs;
    private final VifCounters frontCounters;
    private final long[] reportCounts = new long[VifCounters.FRONT_KIND_COUNT];
    private long reportedSum;
    private long lastReportNs;
    private boolean reportedOnce;

    private GuestControlClient(final ControlSocket socket, final String serverKind, final Path socketPath,
        final GuestShare share, final int kickFd, final VifConfig config)
    {
        this.socket = socket;
        this.serverKind = serverKind;
        this.server = ProcessKind.peer(serverKind, socketPath);
        this.share = share;
        this.kickFd = kickFd;
        this.eventSection =
            share.region().findSection(io.pvnet.engine.vif.VifSections.eventsName(config.domid(), config.handle()));
        this.selectorSection = share.region().findSection(
            io.pvnet.engine.vif.VifSections.guestSelectorName(config.domid(), config.handle()));
        this.store = XenStore.create(new UnsafeBuffer(ByteBuffer.allocateDirect(StoreDescriptor.length(MIRROR_ENTRIES))),
            MIRROR_ENTRIES);
        this.frontendKeys = new StoreMirror(store, config.frontendDir());
        // the frontend's counters, private to this process: reported to the switch, never written into its memory
        this.frontCounters = new VifCounters(new org.agrona.concurrent.status.CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(VifCounters.KIND_COUNT *
                org.agrona.concurrent.status.CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(VifCounters.KIND_COUNT *
                org.agrona.concurrent.status.CountersReader.COUNTER_LENGTH))), config.domid(), config.handle());
        this.reader = Thread.ofPlatform().daemon().name("pvnet-control-reader").start(this::readLoop);
    }

    /**
     * Connects to the switch's control socket and attaches to vif {@code config}, waiting for the answer as long as it
     * takes.
     *
     * @param socketPath the switch's control socket.
     * @param config     the vif.
     * @return the attached client.
     * @throws IllegalStateException      {@code attach refused: } and the server's reason (vif taken, not the owner, no
     *                                   such vif {@code on this switch} / {@code on this bench process}); or an answer
     *                                   this side cannot use ({@code bad answer}, {@code unexpected answer}), or
     *                                   {@code unusable share from the switch: } and why (not a sealed memfd, a size
     *                                   or layout this build does not know, a failed mapping).
     * @throws AttachUnansweredException when the connection ends before an answer (the switch stopping or starting).
     * @throws LinuxException        when the socket cannot be reached (ENOENT, ECONNREFUSED, EACCES).
     */
    public static GuestControlClient attach(final Path socketPath, final VifConfig config)
    {
        return attach(socketPath, config, Long.MAX_VALUE, () -> false);
    }

    /**
     * As {@link #attach(Path, VifConfig)}, waiting for the answer at most {@code answerTimeoutNs} and looking at
     * {@code stopped} every {@link #ANSWER_SLICE_NS} meanwhile. A connect completes into the listener's backlog even
     * when nobody accepts it (a switch that is stopped with SIGSTOP, wedged, or not serving yet), so without a bound the
     * wait for the answer would end only with that process.
     *
     * @param socketPath      the switch's control socket.
     * @param config          the vif.
     * @param answerTimeoutNs the longest wait for the answer once connected.
     * @param stopped         true once the caller is asked to stop (a signal): the wait ends within a slice.
     * @return the attached client, or null when {@code stopped} said so before an answer came (the connection closed).
     * @throws IllegalStateException      {@code attach refused: } and the server's reason (vif taken, not the owner, no
     *                                   such vif {@code on this switch} / {@code on this bench process}); or an answer
     *                                   or share this side cannot use, named as for {@link #attach(Path, VifConfig)}.
     * @throws AttachUnansweredException when the connection ends before an answer (the switch stopping or starting),
     *                                   or no answer came within {@code answerTimeoutNs}.
     * @throws LinuxException        when the socket cannot be reached (ENOENT, ECONNREFUSED, EACCES).
     */
    public static GuestControlClient attach(final Path socketPath, final VifConfig config, final long answerTimeoutNs,
        final BooleanSupplier stopped)
    {
        return attach(socketPath, config, answerTimeoutNs, stopped, RegionDescriptor.ROLE_SWITCH);
    }

    /**
     * As {@link #attach(Path, VifConfig, long, BooleanSupplier)}, naming the server as {@code expectedKind} until its
     * share says what it is.
     *
     * @param socketPath      the server's control socket.
     * @param config          the vif.
     * @param answerTimeoutNs the longest wait for the answer once connected.
     * @param stopped         true once the caller is asked to stop (a signal): the wait ends within a slice.
     * @param expectedKind    what the caller takes the server to be ({@link ProcessKind}): a switch, as
     *                        {@code --region} documents, or on a reconnect the kind of the host it lost
     *                        ({@link #serverKind()}); failures before a share name it so, and so does the client when
     *                        the share records no kind (an older host).
     * @return the attached client, or null when {@code stopped} said so before an answer came (the connection closed).
     * @throws IllegalStateException      as {@link #attach(Path, VifConfig, long, BooleanSupplier)}.
     * @throws AttachUnansweredException as {@link #attach(Path, VifConfig, long, BooleanSupplier)}.
     * @throws LinuxException        when the socket cannot be reached (ENOENT, ECONNREFUSED, EACCES).
     */
    public static GuestControlClient attach(final Path socketPath, final VifConfig config, final long answerTimeoutNs,
        final BooleanSupplier stopped, final String expectedKind)
    {
        final ControlSocket socket = ControlSocket.connect(socketPath);
        try
        {
            // until the share says what the server is, it is what the caller expects
            final String server = ProcessKind.peer(expectedKind, socketPath);
            final ControlSocket.Message answer;
            try
            {
                socket.send(ControlMessage.attach(config.domid(), config.handle()).encode());
                final long start = System.nanoTime();
                while (!socket.awaitReady(Math.min(ANSWER_SLICE_NS, answerTimeoutNs - (System.nanoTime() - start))))
                {
                    if (stopped.getAsBoolean())
                    {
                        socket.close();
                        return null;
                    }
                    if (System.nanoTime() - start >= answerTimeoutNs)
                    {
                        throw new AttachUnansweredException("no answer from " + server);
                    }
                }
                answer = socket.receive(2);
            }
            catch (final LinuxException ex)
            {
                if (ex.errno() == LinuxCalls.EPIPE || ex.errno() == LinuxCalls.ECONNRESET)
                {
                    throw hungUp(server); // before our request, or with it unread
                }
                throw ex;
            }
            if (answer == null)
            {
                throw hungUp(server);
            }
            final ControlMessage message;
            try
            {
                message = ControlMessage.decode(answer.data());
            }
            catch (final IllegalArgumentException ex)
            {
                answer.closeFds();
                throw new IllegalStateException("bad answer from " + server + ": " + ex.getMessage());
            }
            if (message.type() == ControlMessage.REFUSED)
            {
                answer.closeFds();
                // the refusal names the serving process itself ("on this switch", "on this bench process")
                throw new IllegalStateException("attach refused: " + message.value());
            }
            if (message.type() != ControlMessage.ATTACHED || answer.fds().length != 2)
            {
                answer.closeFds();
                throw new IllegalStateException("unexpected answer from " + server + ": type=" + message.type() +
                    " with " + answer.fds().length + " descriptors (expected a memfd and a kick eventfd)");
            }
            final int kickFd = answer.fds()[1];
            final GuestShare share;
            try
            {
                share = GuestShare.adopt(answer.fds()[0], message.shareBytes());
            }
            catch (final RuntimeException ex)
            {
                LinuxCalls.close(kickFd);
                // not sealed, not a memfd, a size or layout this build does not know, or a mapping that failed
                throw new IllegalStateException("unusable share from " + server + ": " + ex.getMessage(), ex);
            }
            try
            {
                // the host records its kind in the share; a host that does not (an older build) is what was expected
                final String shared = ProcessKind.ofRole(share.region().creatorRole());
                return new GuestControlClient(socket,
                    shared.equals(RegionDescriptor.ROLE_UNKNOWN) ? expectedKind : shared, socketPath, share, kickFd,
                    config);
            }
            catch (final RuntimeException ex)
            {
                share.close();
                LinuxCalls.close(kickFd);
                throw ex;
            }
        }
        catch (final RuntimeException ex)
        {
            socket.close();
            throw ex;
        }
    }

    /** {@return the failure of an attach whose connection {@code server} closed before it answered} */
    private static AttachUnansweredException hungUp(final String server)
    {
        return new AttachUnansweredException(server + " closed the connection without an answer");
    }

    /** @return the guest's store (its frontend keys and a copy of its backend's). */
    public XenStore store()
    {
        return store;
    }

    /**
     * {@return the frontend's own counters: hand them to the netfront ({@code VifFrontend.create}); their
     * {@code front-*} kinds are reported to the switch}
     */
    public VifCounters frontCounters()
    {
        return frontCounters;
    }

    /** @return the eventfd that wakes the switch's thread for this vif (hand it to the netfront; owned here). */
    public int kickFd()
    {
        return kickFd;
    }

    /** @return the memory shared with the switch: the vif's sections. */
    public GuestShare share()
    {
        return share;
    }

    /**
     * Applies the switch's watch events to the store and sends the guest's own changes. Call from the duty cycle.
     *
     * @return messages applied or sent.
     */
    public int sync()
    {
        int work = 0;
        ControlMessage event;
        while ((event = events.poll()) != null)
        {
            if (event.type() == ControlMessage.UPDATE)
            {
                store.write(event.key(), event.value());
            }
            else
            {
                store.remove(event.key());
            }
            work++;
        }
        sentThisSync = 0;
        if (goneReason == null)
        {
            frontendKeys.publishChanges(frontendSender);
            reportCounters(false);
        }
        return work + sentThisSync;
    }

    /**
     * {@return nanoseconds until {@link #sync()} has counters to report ({@link Long#MAX_VALUE}: none changed)} A
     * sleeping guest bounds its sleep by it, so its last counts reach the switch within {@link #REPORT_PERIOD_NS}.
     *
     * @param nowNs {@link System#nanoTime()}.
     */
    public long nanosToNextReport(final long nowNs)
    {
        if (goneReason != null || frontCountersSum() == reportedSum)
        {
            return Long.MAX_VALUE;
        }
        return reportedOnce ? Math.max(0, lastReportNs + REPORT_PERIOD_NS - nowNs) : 0;
    }

    private long frontCountersSum()
    {
        long sum = 0;
        for (int i = 0; i < VifCounters.FRONT_KIND_COUNT; i++)
        {
            sum += frontCounters.get(VifCounters.FRONT_TX_PACKETS + i);
        }
        return sum;
    }

    /** Sends the counters' totals if they changed (they only grow) and the last report is old enough, or if forced. */
    private void reportCounters(final boolean force)
    {
        final long sum = frontCountersSum();
        if (sum == reportedSum)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        if (!force && reportedOnce && nowNs - lastReportNs < REPORT_PERIOD_NS)
        {
            return;
        }
        for (int i = 0; i < VifCounters.FRONT_KIND_COUNT; i++)
        {
            reportCounts[i] = frontCounters.get(VifCounters.FRONT_TX_PACKETS + i);
        }
        try
        {
            socket.send(ControlMessage.counters(reportCounts).encode());
        }
        catch (final LinuxException ex)
        {
            gone("sending to " + server + " failed: " + ex.getMessage());
            return;
        }
        reportedSum = sum;
        lastReportNs = nowNs;
        reportedOnce = true;
        sentThisSync++;
    }

    private void sendFrontendChange(final ControlMessage change)
    {
        final ControlMessage outgoing = change.type() == ControlMessage.UPDATE ?
            ControlMessage.write(change.key(), change.value()) : ControlMessage.remove(change.key());
        try
        {
            socket.send(outgoing.encode());
        }
        catch (final LinuxException ex)
        {
            gone("sending to " + server + " failed: " + ex.getMessage());
        }
        sentThisSync++;
    }

    /**
     * {@return the host as this client's messages name it ({@link ProcessKind#peer}): {@code the switch},
     * {@code the bench process}, as it recorded in the share; from a host that did not, as the attach expected it}
     */
    public String server()
    {
        return server;
    }

    /** {@return what the host is, as {@link #server()} names it: {@code switch}, {@code bench}} */
    public String serverKind()
    {
        return serverKind;
    }

    /** @return why the host is gone (connection ended, named as {@link #server()}), or null while it is there. */
    public String goneReason()
    {
        return goneReason;
    }

    /** @return {@link System#nanoTime()} when the connection ended, if it did. */
    public long goneAtNs()
    {
        return goneAtNs;
    }

    private void readLoop()
    {
        try
        {
            while (true)
            {
                final ControlSocket.Message received = socket.receive(0);
                if (received == null)
                {
                    gone(server + " closed the control connection (it stopped or died)");
                    return;
                }
                final ControlMessage message = ControlMessage.decode(received.data());
                if (message.type() != ControlMessage.UPDATE && message.type() != ControlMessage.DELETED)
                {
                    gone("unexpected message from " + server + ": type=" + message.type());
                    return;
                }
                events.add(message);
                // a backend key changed (negotiation, ifconfig): the guest's thread may sleep on its event word
                wakeGuestThread();
            }
        }
        catch (final RuntimeException ex)
        {
            gone("control connection failed: " + ex.getMessage());
        }
    }

    private void gone(final String reason)
    {
        if (goneReason == null)
        {
            goneAtNs = System.nanoTime();
            goneReason = reason;
            // the hang-up wakes the same wait as the switch's notifications: a sleeping guest sees it at once
            wakeGuestThread();
        }
    }

    /**
     * Notifies the guest's own event port as the backend would (an atomic add, a {@code FUTEX_WAKE} only if the guest's
     * thread sleeps on it), so that thread runs its duty cycle and sees a watch event or the switch's death now rather
     * than at its sleep's timeout. Reader thread, {@link #close()}, and a command stopping the guest's thread.
     */
    public synchronized void wakeGuestThread()
    {
        if (shareClosed)
        {
            return;
        }
        final io.pvnet.ring.event.EventChannel channel = selfWake();
        if (channel != null)
        {
            channel.notifyPeer();
        }
    }

    /**
     * The host's end of queue 0's event channel, as seen from here: its notification wakes the guest's thread where it
     * sleeps, on queue 0's port word (one queue) or on its own selector (several queues: every port armed and bound
     * to a bit there, so the notification must raise the bit). The selector is laid out by the netfront after this
     * connection exists, so it is attached at the first notification that finds it. Slow path (watch events).
     */
    private io.pvnet.ring.event.EventChannel selfWake()
    {
        if (eventSection == null)
        {
            return null;
        }
        if (selfWake == null || (!selfWakeHasSelector && selectorSection != null))
        {
            io.pvnet.ring.event.EventSelector selector = null;
            if (selectorSection != null)
            {
                try
                {
                    selector = io.pvnet.ring.event.EventSelector.attach(selectorSection.segment());
                }
                catch (final IllegalArgumentException ex)
                {
                    selector = null; // not laid out yet: the guest does not sleep on it yet either
                }
            }
            if (selfWake == null || selector != null)
            {
                selfWake = new io.pvnet.ring.event.EventChannel(eventSection.buffer(),
                    io.pvnet.engine.vif.VifSections.BACKEND_PORT, io.pvnet.engine.vif.VifSections.FRONTEND_PORT,
                    io.pvnet.ring.event.IdleMode.NOOP, selector);
                selfWakeHasSelector = selector != null;
            }
        }
        return selfWake;
    }

    /**
     * Leaves as a guest shutting down does: closes {@code frontend} (Closing, then Closed as the switch answers, for at
     * most a second; skipped when the switch is already gone), then this connection and the shared memory.
     *
     * @param frontend the frontend attached through this connection, or null when none was created.
     */
    public void leave(final VifFrontend frontend)
    {
        if (frontend != null && goneReason() == null)
        {
            frontend.close();
            final long deadline = System.nanoTime() + 1_000_000_000L;
            while (frontend.state() != XenbusState.CLOSED && goneReason() == null && System.nanoTime() - deadline < 0)
            {
                sync();
                frontend.doWork();
                Thread.onSpinWait();
            }
        }
        close();
        closeShare();
    }

    /**
     * Closes the connection (the switch detaches the vif at once). The share stays mapped until {@link #closeShare()}:
     * close it only after the netfront stopped touching it.
     */
    @Override
    public void close()
    {
        if (goneReason == null)
        {
            reportCounters(true); // the last counts, so the switch's file ends with this guest's totals
        }
        gone("closed");
        socket.close();
        try
        {
            reader.join(1_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Unmaps the share and closes the kick eventfd. Idempotent: a second call closes nothing, so it never closes a
     * descriptor number the process has reused meanwhile.
     */
    public void closeShare()
    {
        synchronized (this)
        {
            if (shareClosed)
            {
                return;
            }
            shareClosed = true;
        }
        share.close();
        LinuxCalls.close(kickFd);
    }
}

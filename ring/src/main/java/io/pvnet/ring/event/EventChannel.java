package io.pvnet.ring.event;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;


/**
 * One end of an event channel in shared memory ({@link EventChannelDescriptor}): {@link #notifyPeer()} raises the
 * remote port, {@link #poll()} / {@link #await(long)} consume what was raised on the local port. Works between threads
 * of one process and between processes mapping the same section: a waiter may sleep in the kernel ({@code FUTEX_WAIT}
 * on the port's event word, no private flag) and a notifier in another process wakes it ({@code FUTEX_WAKE}), paying
 * the syscall only when the waiter announced that it sleeps; while the waiter polls, a notification is one atomic add.
 * <p>
 * Typical use with a ring: {@code if (front.pushRequestsAndCheckNotify()) channel.notifyPeer();} on one side, and on
 * the other {@code while (back.finalCheckForRequests() == 0) channel.await(timeoutNs);}; or, in an agent loop, the
 * channel as the {@link WaitPoint} of an idle strategy ({@link IdleMode#newIdleStrategy(WaitPoint)}), the agent's
 * {@code doWork()} being the final check.
 * <p>
 * A port owned by a thread that serves many channels is bound to that thread's {@link EventSelector}
 * ({@link #bindLocalPort(int)}): a notifier whose channel knows the selector ({@code remoteSelector}) then raises the
 * port's bit instead of waking the word. A notifier never trusts the binding beyond the selector's bounds, and the
 * host side of a guest's channel is built without a selector, so a guest's writes to its ports can only make the host
 * wake itself.
 * <p>
 * <b>Threads.</b> {@link #notifyPeer()} may be called from any thread. {@link #poll()}, {@link #await(long)}, the
 * {@link WaitPoint} methods and the idle strategy belong to one waiting thread. Allocation-free.
 */
public final class EventChannel implements WaitPoint
{
    /**
     * Whether a notifier that woke a sleeping peer yields its CPU at once ({@code -Dpvnet.idle.yield.after.wake}, true
     * unless set to false). The kernel placed the woken thread on a CPU; on a machine with idle CPUs halted (this VM:
     * haltpoll, {@code guest_halt_poll_ns=0}) it packs it onto the waker's busy CPU, where it waits, without wake-up
     * preemption, until the waker sleeps or yields (99 % of the {@code wake} bench's kicks, {@code perf sched}). A
     * notifier that polls first (a guest that kicked the backend and looks for the answer) only delays the thread that
     * makes the answer. Woken on another CPU, the peer loses nothing and the notifier pays one {@code sched_yield}
     * (about 1 µs) per wake-up, never per notification: a peer that is polling costs no wake-up and no yield. It pairs
     * with the woken thread's hand-back ({@link WaitPointIdleStrategy#HAND_BACK}), which gives the CPU back once the
     * answer is pushed; without it the round trip was slower (see there). At most one such yield per notifying thread
     * per {@link WakeYieldLimiter#MIN_GAP_NS} (50 µs): a switch thread that wakes N guests in one duty cycle yields
     * once, not N times.
     */
    public static final boolean YIELD_AFTER_WAKE = IdleProperties.onUnlessFalse("pvnet.idle.yield.after.wake");

    private final AtomicBuffer ports;
    private final int localWord;
    private final int localArmed;
    private final int localBinding;
    private final int remoteWord;
    private final int remoteArmed;
    private final int remoteBinding;
    private final long localWordAddress;
    private final long remoteWordAddress;
    private final IdleStrategy idleStrategy;
    private final IdleMode idleMode;
    private final EventSelector remoteSelector;
    private final Futex.Waiter waiter = new Futex.Waiter();
    /**
     * Ends this end's futex sleep when its thread is interrupted: the local word bumped (seen as one more notification,
     * which every waiter treats as "re-check"), then woken.
     */
    private final InterruptWake interruptWake = new InterruptWake(this::wakeSelf);
    /** The peer's kick eventfd (an isolated guest's end), or -1: the peer is woken through its word or selector. */
    private volatile int remoteKickFd = -1;
    private long lastSeen;
    private int armedWord;
    private long wakeups;
    private long wakeYields;
    private long peersWoken;
    private long sleeps;
    private boolean yieldAfterWake = YIELD_AFTER_WAKE;
    /**
     * The last number this end armed its port with ({@link #nextArming()}); it starts at a number of its own, so a
     * notifier delayed across a rebinding of the same port (a reconnect) does not meet the same numbers again.
     */
    private int armings = (int)System.nanoTime() | 1;
    /** The limiter of the yield after a wake-up; null: the notifying thread's own. */
    private WakeYieldLimiter wakeYieldLimiter;

    /**
     * Binds both ends of a port pair in an event-channel section.
     * @param ports      the event-channel section (both ends use the same one).
     * @param localPort  the port this end waits on.
     * @param remotePort the port the peer waits on.
     * @param idleMode   how {@link #await(long)} idles; {@link IdleMode#SLEEP} and {@link IdleMode#ADAPTIVE} sleep in
     *                   the kernel until notified.
     * @throws IllegalArgumentException when a port does not fit in {@code ports} or both are the same.
     */
    public EventChannel(final AtomicBuffer ports, final int localPort, final int remotePort, final IdleMode idleMode)
    {
        this(ports, localPort, remotePort, idleMode, idleMode.newIdleStrategy(), null);
    }

    /**
     * As {@link #EventChannel(AtomicBuffer, int, int, IdleMode)}, raising the peer's bit in {@code remoteSelector} when
     * the peer's port is bound to it (null: always wake the peer's word).
     * @param ports the event-channel section (both ends use the same one).
     * @param localPort the port this end waits on.
     * @param remotePort the port the peer waits on.
     * @param idleMode how {@link #await(long)} idles.
     * @param remoteSelector the peer's selector, or null.
     */
    public EventChannel(
        final AtomicBuffer ports, final int localPort, final int remotePort, final IdleMode idleMode,
        final EventSelector remoteSelector)
    {
        this(ports, localPort, remotePort, idleMode, idleMode.newIdleStrategy(), remoteSelector);
    }

    /**
     * As the first constructor with an idle strategy instance (owned by this channel's waiting thread from now on).
     * @param ports the event-channel section (both ends use the same one).
     * @param localPort the port this end waits on.
     * @param remotePort the port the peer waits on.
     * @param idleStrategy how {@link #await(long)} idles; used by this channel's waiting thread only.
     */
    public EventChannel(final AtomicBuffer ports, final int localPort, final int remotePort, final IdleStrategy idleStrategy)
    {
        this(ports, localPort, remotePort, null, idleStrategy, null);
    }

    private EventChannel(
        final AtomicBuffer ports, final int localPort, final int remotePort, final IdleMode idleMode,
        final IdleStrategy idleStrategy, final EventSelector remoteSelector)
    {
        EventChannelDescriptor.checkPort(ports, localPort);
        EventChannelDescriptor.checkPort(ports, remotePort);
        if (localPort == remotePort)
        {
            throw new IllegalArgumentException("localPort=" + localPort + " must differ from remotePort=" + remotePort);
        }
        this.ports = ports;
        this.localWord = EventChannelDescriptor.eventWordOffset(localPort);
        this.localArmed = EventChannelDescriptor.armedOffset(localPort);
        this.localBinding = EventChannelDescriptor.selectorBitOffset(localPort);
        this.remoteWord = EventChannelDescriptor.eventWordOffset(remotePort);
        this.remoteArmed = EventChannelDescriptor.armedOffset(remotePort);
        this.remoteBinding = EventChannelDescriptor.selectorBitOffset(remotePort);
        this.localWordAddress = ports.addressOffset() + localWord;
        this.remoteWordAddress = ports.addressOffset() + remoteWord;
        this.idleMode = idleMode;
        this.idleStrategy = idleStrategy;
        this.remoteSelector = remoteSelector;
        this.lastSeen = ports.getIntAcquire(localWord);
        if (ports.byteArray() != null)
        {
            throw new IllegalArgumentException("event channel ports must be off-heap (a futex needs a native address)");
        }
    }

    /**
     * Raises the peer's port ({@code notify_remote_via_evtchn}): one atomic add, and a wake-up only when the peer armed
     * its port (it stopped polling); after a wake-up that found the peer asleep, a yield ({@link #YIELD_AFTER_WAKE}).
     *
     * @return true when this call woke the peer (a syscall or a selector raise), false when the add was enough.
     */
    public boolean notifyPeer()
    {
        // atomic add (full barrier): the ring push before it is visible to a waiter that sees the new word, and the
        // armed flag read below is not reordered before it (pairs with the waiter's volatile store of armed)
        ports.getAndAddInt(remoteWord, 1);
        // the CAS takes exactly the arming it read: a notifier delayed between the read and the CAS must not disarm a
        // later arming (the peer would sleep armed by nobody, and every later notifier would skip the wake-up)
        final int armed = ports.getIntVolatile(remoteArmed);
        if (armed != 0 && ports.compareAndSetInt(remoteArmed, armed, 0))
        {
            wakePeerSlowPath();
            return true;
        }
        return false;
    }

    private void wakePeerSlowPath()
    {
        // this notifier took the peer's arming, so the wake-up is its alone; its add may predate the word the peer
        // armed with (a notification the peer already consumed before arming), and then a FUTEX_WAKE sent before the
        // peer's FUTEX_WAIT would be lost with the port disarmed: move the word past the arming's first, so the wait
        // cannot start (the peer sees one notification more, a hint as any)
        ports.getAndAddInt(remoteWord, 1);
        wakeups++;
        if (!wakePeer())
        {
            return; // the peer had armed but was not yet asleep: it sees the word change, nothing to hand over
        }
        peersWoken++;
        if (yieldAfterWake)
        {
            // the woken thread most likely waits for this CPU (see YIELD_AFTER_WAKE): let it run now, unless this
            // thread yielded for another wake-up just before (one yield per duty cycle, not one per woken peer)
            final WakeYieldLimiter limiter =
                wakeYieldLimiter != null ? wakeYieldLimiter : WakeYieldLimiter.forCurrentThread();
            if (limiter.afterWake())
            {
                wakeYields++;
            }
        }
    }

    /** {@return whether the peer was asleep and this call woke it} */
    private boolean wakePeer()
    {
        final int kickFd = remoteKickFd;
        if (kickFd >= 0)
        {
            return io.pvnet.ring.share.LinuxCalls.eventfdSignal(kickFd) == 0; // its epoll sleep ends (or a poll sees it)
        }
        final int binding = ports.getIntVolatile(remoteBinding);
        if (binding > 0 && remoteSelector != null)
        {
            final int raised = remoteSelector.raiseAndWake(binding - 1);
            if (raised != EventSelector.OUTSIDE)
            {
                return raised == EventSelector.WOKE;
            }
        }
        return Futex.wake(remoteWordAddress, Integer.MAX_VALUE) > 0;
    }

    /**
     * Consumes what was raised on the local port since the last call.
     *
     * @return true when at least one notification arrived (several collapse into one).
     */
    public boolean poll()
    {
        // acquire: pairs with the notifier's atomic add, so the ring state it published is visible after this returns
        final int word = ports.getIntAcquire(localWord);
        if (word != (int)lastSeen)
        {
            lastSeen = word;
            return true;
        }
        return false;
    }

    /**
     * Waits for a notification on the local port. With {@link IdleMode#SLEEP} or {@link IdleMode#ADAPTIVE} (after its
     * spin window) the thread sleeps in the kernel until notified; otherwise it idles through the idle strategy.
     *
     * @param timeoutNs how long to wait at most; 0 polls once.
     * @return true when a notification arrived, false on timeout or interrupt (the interrupt flag stays set; a
     *     notification that came meanwhile, and the interrupt's own wake-up of the sleep, are seen by the next poll).
     */
    public boolean await(final long timeoutNs)
    {
        if (poll())
        {
            return true;
        }
        final long start = System.nanoTime();
        final long deadline = start + timeoutNs;
        if (idleMode == IdleMode.SLEEP || idleMode == IdleMode.ADAPTIVE)
        {
            return sleepUntil(start, deadline);
        }
        idleStrategy.reset();
        while (System.nanoTime() - deadline < 0)
        {
            if (poll())
            {
                return true;
            }
            if (Thread.currentThread().isInterrupted())
            {
                return false;
            }
            idleStrategy.idle();
        }
        return poll();
    }

    private boolean sleepUntil(final long start, final long deadline)
    {
        final long spinEnd = idleMode == IdleMode.ADAPTIVE ? start + IdleMode.spinWindowNs() : start;
        long now = start;
        while (now - spinEnd < 0 && now - deadline < 0)
        {
            if (poll())
            {
                return true;
            }
            Thread.yield(); // as WaitPointIdleStrategy: a spinner must not hold the core the notifier needs
            final long before = now;
            now = System.nanoTime();
            if (now - before >= WaitPointIdleStrategy.CONTENDED_YIELD_NS)
            {
                break; // the core went to another thread meanwhile: sleep, as WaitPointIdleStrategy does
            }
        }
        while (true)
        {
            if (Thread.currentThread().isInterrupted())
            {
                return false;
            }
            final long remaining = deadline - now;
            if (remaining <= 0)
            {
                return poll();
            }
            // expect the last value consumed: any notification since the caller's last poll (and so since its ring
            // check) changes the word and the kernel refuses to sleep
            armedWord = (int)lastSeen;
            ports.putIntVolatile(localArmed, nextArming());
            if (poll())
            {
                ports.putIntRelease(localArmed, 0);
                return true;
            }
            kernelSleep(remaining);
            ports.putIntRelease(localArmed, 0);
            if (!Thread.currentThread().isInterrupted() && poll())
            {
                return true;
            }
            now = System.nanoTime();
        }
    }

    private void kernelSleep(final long timeoutNs)
    {
        sleeps++;
        interruptWake.sleepOnWord(waiter, localWordAddress, armedWord, timeoutNs);
    }

    /** Ends this end's own sleep (an interrupt of its thread). Any thread. */
    private void wakeSelf()
    {
        ports.getAndAddInt(localWord, 1);
        Futex.wake(localWordAddress, Integer.MAX_VALUE);
    }

    /**
     * {@return a number for a new arming of the local port, never 0}: each arming is told apart from the one before, so
     * a notifier's CAS of a stale arming to 0 fails (an ABA on a plain 1 lost wake-ups, found by
     * {@code EventSelectorTest}'s concurrent raisers once sleeps were no longer cut into 1 s slices).
     */
    private int nextArming()
    {
        armings = armings == -1 ? 1 : armings + 1;
        return armings;
    }

    @Override
    public void prepareToSleep()
    {
        armedWord = ports.getIntAcquire(localWord);
        // volatile store: store then full fence; the caller's final check of its rings comes after it
        ports.putIntVolatile(localArmed, nextArming());
    }

    @Override
    public void cancelSleep()
    {
        ports.putIntRelease(localArmed, 0);
    }

    @Override
    public void sleep(final long timeoutNs)
    {
        if (ports.getIntVolatile(localWord) == armedWord)
        {
            kernelSleep(timeoutNs);
        }
        ports.putIntRelease(localArmed, 0);
    }

    /**
     * Arms the local port without sleeping on it: a thread that serves this port through an {@link EventSelector}
     * stopped polling it and must be raised on its next notification. Call after the port is bound
     * ({@link #bindLocalPort}); re-check the rings afterwards (a notification before this call saw no armed flag).
     */
    public void armLocalPort()
    {
        ports.putIntVolatile(localArmed, nextArming());
    }

    /** Withdraws {@link #armLocalPort()} (the thread polls this port again). */
    public void disarmLocalPort()
    {
        ports.putIntRelease(localArmed, 0);
    }

    /**
     * Wakes the peer through eventfd {@code fd} from now on (its kick fd, received over the control connection): a
     * guest whose memory is its own cannot raise the host's selector, so when the host's port is armed it writes the
     * eventfd the host waits on in epoll ({@link EpollWaitPoint}); -1 goes back to the futex word. The caller owns
     * {@code fd}. Configuration time.
     *
     * @param fd the peer's kick eventfd, or -1.
     */
    public void kickPeerThrough(final int fd)
    {
        remoteKickFd = fd;
    }

    /**
     * Binds the local port to bit {@code bit} of the owner's {@link EventSelector}; -1 unbinds. Configuration time.
     * @param bit the selector bit, or -1 to wake this port's own event word again.
     */
    public void bindLocalPort(final int bit)
    {
        ports.putIntVolatile(localBinding, bit + 1);
    }

    /** {@return notifications ever sent to the local port (the shared event word, unsigned)} */
    public long localSequence()
    {
        return Integer.toUnsignedLong(ports.getIntAcquire(localWord));
    }

    /** {@return the idle strategy {@link #await(long)} uses (for an agent loop that idles on the same one)} */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * {@return wake-ups this end paid for in {@link #notifyPeer()} (any thread that notifies; approximate if several)}
     */
    public long wakeups()
    {
        return wakeups;
    }

    /**
     * Sets whether a notification that woke the sleeping peer yields the notifier's CPU ({@link #YIELD_AFTER_WAKE}) and
     * how. Configuration time.
     *
     * @param yield whether to yield after a wake-up.
     * @param limiter yields at most once per its gap (tests drive its clock and count its yields; null: each
     *                notifying thread's own, {@link WakeYieldLimiter#forCurrentThread()}).
     */
    void yieldAfterWake(final boolean yield, final WakeYieldLimiter limiter)
    {
        this.yieldAfterWake = yield;
        this.wakeYieldLimiter = limiter;
    }

    /**
     * {@return wake-ups from {@link #notifyPeer()} that found the peer asleep and woke it (a {@code FUTEX_WAKE} that
     * returned more than 0, a selector raise that woke its owner, or a kick eventfd written; approximate if several
     * threads notify)}
     */
    public long peersWoken()
    {
        return peersWoken;
    }

    /**
     * {@return yields after a notification that woke the sleeping peer (approximate if several threads notify; a
     * wake-up shortly after another's yield does not yield, {@link WakeYieldLimiter})}
     */
    public long wakeYields()
    {
        return wakeYields;
    }

    /** {@return times the waiting thread went to sleep in the kernel} */
    public long sleeps()
    {
        return sleeps;
    }
}

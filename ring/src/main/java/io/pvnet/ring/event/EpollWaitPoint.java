package io.pvnet.ring.event;

import io.pvnet.ring.share.LinuxCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The one place a host thread sleeps when it serves guests in other processes as well as sources in its own: an epoll
 * instance over every isolated guest's <b>kick eventfd</b> (vhost-user's kick fd, handed to the guest over its control
 * connection) and the {@link EventSelector}'s own wake eventfd. A ready kick fd raises its source's bit in the
 * selector, so the owner drains one bitmap whatever woke it and visits only what raised an event.
 * <pre>
 *  isolated guest: push, port armed? --CAS--> write(kick fd)  ----------------------+
 *  in-process raiser: selector.raise(bit), owner asleep? --> write(selector's fd) --+--> epoll_pwait (owner)
 *                                                                                    |    kick fd ready: raise(bit)
 *  owner: prepareToSleep (selector's sleeping flag), final check, sleep -------------+    then drain the selector
 * </pre>
 * Both kinds of descriptor are registered {@code EPOLLIN | EPOLLET}: every eventfd write is a new edge, so the counters
 * are never read (no syscall beyond {@code epoll_pwait}); a kick written while the owner is awake stays on epoll's
 * ready list and is returned by the next {@link #pollKicks()} or {@link #sleep(long)}, so none is lost. A guest can
 * only write its own kick fd, which raises its own bit.
 * <p>
 * Threading: {@link #register} / {@link #unregister} from any thread (the kernel serialises {@code epoll_ctl});
 * {@link #pollKicks()}, {@link #mute} / {@link #unmute}, the {@link WaitPoint} methods and {@link #close()} on the
 * owning thread. Allocation-free after
 * construction.
 */
public final class EpollWaitPoint implements WaitPoint, AutoCloseable
{
    /** Events taken per {@code epoll_pwait}; more ready descriptors are returned by the next call. */
    public static final int MAX_EVENTS = 256;
    private static final long SELECTOR_DATA = -1L;

    private final EventSelector selector;
    private final int epollFd;
    private final int selectorFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    /** The {@code struct epoll_event} of {@link #mute}/{@link #unmute} (owner thread). */
    private final MemorySegment ctlScratch;
    private final java.util.concurrent.atomic.AtomicInteger registered = new java.util.concurrent.atomic.AtomicInteger();
    /** Ends the owner's epoll sleep when its thread is interrupted: the selector's eventfd is signalled. */
    private final InterruptWake interruptWake = new InterruptWake(this::wakeOwner);
    private long sleeps;
    private long kicks;

    /**
     * Creates the epoll instance and makes in-process raisers of {@code selector} wake it through an eventfd.
     *
     * @param selector the owner's selector: kicks raise its bits, and its in-process raisers wake this wait point.
     * @throws io.pvnet.ring.share.LinuxException when the kernel refuses an eventfd or an epoll instance.
     */
    public EpollWaitPoint(final EventSelector selector)
    {
        this.selector = selector;
        this.events = arena.allocate((long)MAX_EVENTS * LinuxCalls.EPOLL_EVENT_LENGTH, 8);
        this.ctlScratch = arena.allocate(16, 8);
        this.epollFd = LinuxCalls.epollCreate();
        int fd = -1;
        try
        {
            fd = LinuxCalls.eventfd();
            try (Arena scratch = Arena.ofConfined())
            {
                LinuxCalls.epollAdd(epollFd, fd, LinuxCalls.EPOLLIN | LinuxCalls.EPOLLET, SELECTOR_DATA,
                    scratch.allocate(16, 8));
            }
        }
        catch (final RuntimeException ex)
        {
            LinuxCalls.close(fd);
            LinuxCalls.close(epollFd);
            arena.close();
            throw ex;
        }
        this.selectorFd = fd;
        selector.wakeThrough(selectorFd);
    }

    /**
     * Watches kick eventfd {@code fd}: when it is written, bit {@code bit} of the selector is raised. The caller keeps
     * owning {@code fd} and must {@link #unregister} it before closing it (a copy held by the guest would otherwise keep
     * it in the epoll set).
     *
     * @param fd  the kick eventfd.
     * @param bit the selector bit it raises.
     * @throws IllegalArgumentException when {@code bit} is outside the selector.
     * @throws io.pvnet.ring.share.LinuxException when the kernel refuses (a bad or duplicate descriptor).
     */
    public void register(final int fd, final int bit)
    {
        if (bit < 0 || bit >= selector.capacity())
        {
            throw new IllegalArgumentException("bit=" + bit + " outside the selector's capacity=" + selector.capacity());
        }
        try (Arena scratch = Arena.ofConfined())
        {
            LinuxCalls.epollAdd(epollFd, fd, LinuxCalls.EPOLLIN | LinuxCalls.EPOLLET, bit, scratch.allocate(16, 8));
        }
        registered.incrementAndGet();
    }

    /**
     * Stops watching {@code fd} (before the caller closes it).
     *
     * @param fd a kick eventfd given to {@link #register}.
     * @return whether it was registered.
     */
    public boolean unregister(final int fd)
    {
        final boolean was = LinuxCalls.epollDelete(epollFd, fd) == 0;
        if (was)
        {
            registered.decrementAndGet();
        }
        return was;
    }

    /**
     * Stops reporting kick eventfd {@code fd} without forgetting it ({@code EPOLL_CTL_MOD} with no events): its writes
     * wake nobody until {@link #unmute}. The host's late EOI for a guest that kicks without cause (XSA-332). Owner
     * thread; the caller makes sure {@code fd} is still the one registered (not closed and reused meanwhile).
     *
     * @param fd a kick eventfd given to {@link #register}.
     * @return whether it is registered.
     */
    public boolean mute(final int fd)
    {
        return LinuxCalls.epollModify(epollFd, fd, 0, 0, ctlScratch) == 0;
    }

    /**
     * Reports kick eventfd {@code fd} again, raising {@code bit}. An eventfd the guest ever wrote is readable (its
     * counter is never read here), so the next {@link #pollKicks()} or {@link #sleep} reports it once at once, whether
     * or not it was written while muted. Owner thread, as {@link #mute}.
     *
     * @param fd  a kick eventfd given to {@link #register}.
     * @param bit the selector bit it raises (the one it was registered with).
     * @return whether it is registered.
     */
    public boolean unmute(final int fd, final int bit)
    {
        return LinuxCalls.epollModify(epollFd, fd, LinuxCalls.EPOLLIN | LinuxCalls.EPOLLET, bit, ctlScratch) == 0;
    }

    /** {@return kick descriptors watched now} */
    public int registered()
    {
        return registered.get();
    }

    /**
     * Takes the kicks that arrived while the owner was awake, without blocking (one {@code epoll_pwait} with timeout
     * 0), raising their bits. Owner thread.
     *
     * @return kick descriptors found ready.
     */
    public int pollKicks()
    {
        return dispatch(LinuxCalls.epollWait(epollFd, events, MAX_EVENTS, 0));
    }

    private int dispatch(final int ready)
    {
        int kicked = 0;
        for (int i = 0; i < ready; i++)
        {
            final long data = events.get(ValueLayout.JAVA_LONG_UNALIGNED,
                (long)i * LinuxCalls.EPOLL_EVENT_LENGTH + LinuxCalls.EPOLL_EVENT_DATA_OFFSET);
            if (data != SELECTOR_DATA)
            {
                selector.raise((int)data);
                kicked++;
            }
        }
        kicks += kicked;
        return kicked;
    }

    @Override
    public void prepareToSleep()
    {
        selector.prepareToSleep();
    }

    @Override
    public void cancelSleep()
    {
        selector.cancelSleep();
    }

    /**
     * Sleeps in {@code epoll_pwait} until a kick, a raise of the selector, an interrupt of the thread or the timeout
     * (rounded up to whole milliseconds), then raises the kicked bits. Returns at once when a bit is already pending.
     */
    @Override
    public void sleep(final long timeoutNs)
    {
        if (!selector.hasPending())
        {
            sleeps++;
            final long timeoutMs = Math.min(Math.ceilDiv(Math.max(timeoutNs, 0), 1_000_000L), Integer.MAX_VALUE);
            if (interruptWake.enter())
            {
                final int ready;
                try
                {
                    ready = LinuxCalls.epollWait(epollFd, events, MAX_EVENTS, (int)timeoutMs);
                }
                finally
                {
                    interruptWake.exit();
                }
                dispatch(ready);
            }
        }
        selector.cancelSleep();
    }

    /** Ends the owner's sleep without a kick (an interrupt of its thread): an eventfd write is counted, never lost. */
    private void wakeOwner()
    {
        LinuxCalls.eventfdSignal(selectorFd);
    }

    /** {@return times the owner slept in {@code epoll_pwait}} */
    public long sleeps()
    {
        return sleeps;
    }

    /** {@return kick descriptors found ready, over all calls (owner thread)} */
    public long kicks()
    {
        return kicks;
    }

    /** Goes back to futex wake-ups for the selector and closes the epoll instance and the selector's eventfd. */
    @Override
    public void close()
    {
        selector.wakeThrough(-1);
        LinuxCalls.close(selectorFd);
        LinuxCalls.close(epollFd);
        arena.close();
    }
}

package io.pvnet.ring.event;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static io.pvnet.ring.event.EventSelectorDescriptor.*;

/**
 * One wait point for a thread that serves many event sources (vifs): sources {@link #raise} their bit, the owner sleeps
 * in one place ({@link WaitPoint}) and, once woken, {@link #drain}s only the raised bits, so a round costs in
 * proportion to the active sources, not to all of them. Layout and protocol: {@link EventSelectorDescriptor}. The memory
 * may be a region section mapped by several processes: raising and waking work across them (the futex word is shared).
 * <p>
 * Threading: {@link #raise} from any thread of any process mapping the memory; {@link #drain}, {@link WaitPoint} methods
 * and {@link #initialise} from the one owning thread. Allocation-free.
 */
public final class EventSelector implements WaitPoint
{
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    /**
     * Where each selector of this process is woken besides its futex word: an eventfd when the owner sleeps in epoll
     * ({@link EpollWaitPoint}), by the selector memory's address. Process-local on purpose: a descriptor number in the
     * shared memory could be rewritten by another process mapping it and make a raiser write to an unrelated file.
     */
    private static final java.util.concurrent.ConcurrentHashMap<Long, java.util.concurrent.atomic.AtomicInteger> WAKE_FDS =
        new java.util.concurrent.ConcurrentHashMap<>();

    /** {@link #raiseAndWake}: the bit is outside the selector, nothing done. */
    public static final int OUTSIDE = -1;
    /** {@link #raiseAndWake}: raised; the owner was awake or another raiser wakes it. */
    public static final int RAISED = 0;
    /** {@link #raiseAndWake}: raised, and this call woke the sleeping owner. */
    public static final int WOKE = 1;

    private final MemorySegment memory;
    private final java.util.concurrent.atomic.AtomicInteger wakeFd;
    private final long wakeWordAddress;
    private final int capacity;
    private final Futex.Waiter waiter = new Futex.Waiter();
    /** Ends the owner's futex sleep when its thread is interrupted: the wake word bumped, then woken. */
    private final InterruptWake interruptWake = new InterruptWake(this::wakeOwner);
    private int armedWord;
    /**
     * The number of the owner's last announcement that it sleeps, stored in {@code sleeping}; never 0. It starts at a
     * number of its own, so a raiser delayed across a re-initialisation of the same memory (a guest's reconnect) does
     * not meet the same numbers again.
     */
    private int announcements = (int)System.nanoTime() | 1;
    private long sleeps;
    private long wakeCalls;

    private EventSelector(final MemorySegment memory, final int capacity)
    {
        this.memory = memory;
        this.capacity = capacity;
        this.wakeWordAddress = memory.address() + WAKE_WORD_OFFSET;
        this.wakeFd = WAKE_FDS.computeIfAbsent(memory.address(), address -> new java.util.concurrent.atomic.AtomicInteger(-1));
    }

    /**
     * Lays a selector of {@code capacity} bits out in {@code memory} (zeroed by the caller, for instance a fresh region
     * section) and returns the owner's handle.
     *
     * @param memory the selector's memory, at least {@link EventSelectorDescriptor#lengthBytes(int)} of {@code
     *     capacity}, 8-byte aligned.
     * @param capacity bits the selector holds, 1..{@link EventSelectorDescriptor#MAX_CAPACITY}.
     * @return the owner's handle: the only one that may drain and sleep.
     * @throws IllegalArgumentException when the memory is too small or misaligned, or the capacity out of range.
     */
    public static EventSelector initialise(final MemorySegment memory, final int capacity)
    {
        check(memory, capacity);
        INT.setRelease(memory, (long)CAPACITY_OFFSET, capacity);
        final EventSelector selector = new EventSelector(memory, capacity);
        selector.wakeFd.set(-1);
        return selector;
    }

    /**
     * A raiser's handle on a selector another thread or process laid out. The capacity is taken from the memory's
     * length, never trusted from the shared field alone.
     *
     * @param memory the memory the owner laid the selector out in.
     * @return a handle that may only raise bits.
     * @throws IllegalArgumentException when the memory does not hold a selector.
     */
    public static EventSelector attach(final MemorySegment memory)
    {
        if (memory.byteSize() < PENDING_OFFSET + 8 || (memory.address() & 7) != 0)
        {
            throw new IllegalArgumentException("not an event selector: byteSize=" + memory.byteSize());
        }
        final int stored = (int)INT.getAcquire(memory, (long)CAPACITY_OFFSET);
        final int fits = (int)Math.min(MAX_CAPACITY, (memory.byteSize() - PENDING_OFFSET) / 8 * 64);
        if (stored < 1 || stored > fits)
        {
            throw new IllegalArgumentException("not an event selector: capacity=" + stored + " (fits " + fits + ")");
        }
        return new EventSelector(memory, stored);
    }

    private static void check(final MemorySegment memory, final int capacity)
    {
        checkCapacity(capacity);
        if (memory.byteSize() < lengthBytes(capacity) || (memory.address() & 63) != 0)
        {
            throw new IllegalArgumentException("selector memory byteSize=" + memory.byteSize() + " address=" +
                memory.address() + " must be 64-byte aligned and hold " + lengthBytes(capacity) + " bytes");
        }
    }

    /** {@return bits this selector holds} */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Marks {@code bit} pending and wakes the owner if it sleeps. Costs three atomics when the bit was clear and one when
     * it was already raised (the first raiser finishes the job); a syscall only while the owner sleeps.
     *
     * @param bit the bit to raise, usually the port or queue the raiser serves.
     * @return false when {@code bit} is outside the selector (nothing done).
     */
    public boolean raise(final int bit)
    {
        return raiseAndWake(bit) != OUTSIDE;
    }

    /**
     * As {@link #raise}, saying whether this call woke the owner.
     *
     * @param bit the bit to raise.
     * @return {@link #WOKE} when this call woke the sleeping owner (a {@code FUTEX_WAKE} that found it, or its eventfd
     *     signalled), {@link #RAISED} when the raise was enough (the owner awake, or another raiser wakes it),
     *     {@link #OUTSIDE} when {@code bit} is outside the selector (nothing done).
     */
    public int raiseAndWake(final int bit)
    {
        if (bit < 0 || bit >= capacity)
        {
            return OUTSIDE;
        }
        final long mask = 1L << (bit & 63);
        final long old = (long)LONG.getAndBitwiseOr(memory, (long)pendingWordOffset(bit), mask);
        if ((old & mask) != 0)
        {
            return RAISED; // raised before and not drained yet: that raiser marks the selector and wakes
        }
        LONG.getAndBitwiseOr(memory, (long)SELECTOR_OFFSET, 1L << (bit >>> 6));
        // atomic add, a full fence: the bits above are visible before the sleeping flag is read (pairs with the
        // owner's volatile store of sleeping then its re-check of the selector)
        INT.getAndAdd(memory, (long)WAKE_WORD_OFFSET, 1);
        // the CAS takes exactly the announcement it read: a raiser delayed between the read and the CAS must not clear
        // a later announcement (the owner would sleep announced to nobody, and every later raiser would skip the wake)
        final int sleeping = (int)INT.getVolatile(memory, (long)SLEEPING_OFFSET);
        if (sleeping != 0 && INT.compareAndSet(memory, (long)SLEEPING_OFFSET, sleeping, 0))
        {
            // this raiser took the announcement, so the wake-up is its alone; its add above may predate the word the
            // owner announced with (this raise already drained before the announcement), and then a FUTEX_WAKE sent
            // before the owner's FUTEX_WAIT would be lost with nobody left to wake it: move the word past the
            // announcement's first, so the wait cannot start
            INT.getAndAdd(memory, (long)WAKE_WORD_OFFSET, 1);
            wakeCalls++;
            final int fd = wakeFd.get();
            if (fd >= 0)
            {
                return io.pvnet.ring.share.LinuxCalls.eventfdSignal(fd) == 0 ? WOKE : RAISED;
            }
            return Futex.wake(wakeWordAddress, 1) > 0 ? WOKE : RAISED;
        }
        return RAISED;
    }

    /**
     * Owner, configuration time: from now on a raiser in this process that finds the owner asleep signals eventfd
     * {@code fd} (the owner sleeps in epoll, see {@link EpollWaitPoint}) instead of {@code FUTEX_WAKE}; -1 goes back to
     * the futex. Raisers in other processes always wake the futex word, which an owner in epoll does not wait on: they
     * are seen at its next timeout (isolated guests kick their own eventfds instead).
     *
     * @param fd the owner's wake eventfd, or -1.
     */
    public void wakeThrough(final int fd)
    {
        wakeFd.set(fd);
    }

    /** {@return whether any bit is raised (owner's final check; acquire)} */
    public boolean hasPending()
    {
        return (long)LONG.getVolatile(memory, (long)SELECTOR_OFFSET) != 0;
    }

    /**
     * Takes every raised bit, clearing it, into {@code bits} (at least {@link #capacity()} long) in ascending order.
     *
     * @param bits receives the bits taken.
     * @return how many bits were taken.
     */
    public int drain(final int[] bits)
    {
        long selector = (long)LONG.getAndSet(memory, (long)SELECTOR_OFFSET, 0L);
        int count = 0;
        while (selector != 0)
        {
            final int word = Long.numberOfTrailingZeros(selector);
            selector &= selector - 1;
            long pending = (long)LONG.getAndSet(memory, (long)(PENDING_OFFSET + 8 * word), 0L);
            while (pending != 0)
            {
                final int bit = (word << 6) + Long.numberOfTrailingZeros(pending);
                pending &= pending - 1;
                if (bit < capacity && count < bits.length)
                {
                    bits[count++] = bit;
                }
            }
        }
        return count;
    }

    @Override
    public void prepareToSleep()
    {
        armedWord = (int)INT.getAcquire(memory, (long)WAKE_WORD_OFFSET);
        // volatile store: store then full fence, so the owner's re-check below sees a raise or the raiser sees this
        announcements = announcements == -1 ? 1 : announcements + 1; // never 0, and each told apart from the last
        INT.setVolatile(memory, (long)SLEEPING_OFFSET, announcements);
    }

    @Override
    public void cancelSleep()
    {
        INT.setRelease(memory, (long)SLEEPING_OFFSET, 0);
    }

    @Override
    public void sleep(final long timeoutNs)
    {
        if (!hasPending())
        {
            sleeps++;
            interruptWake.sleepOnWord(waiter, wakeWordAddress, armedWord, timeoutNs);
        }
        INT.setRelease(memory, (long)SLEEPING_OFFSET, 0);
    }

    /**
     * Ends the owner's futex sleep without raising a bit (an interrupt of its thread): the bumped word makes a sleep
     * about to start return at once. Any thread.
     */
    private void wakeOwner()
    {
        INT.getAndAdd(memory, (long)WAKE_WORD_OFFSET, 1);
        Futex.wake(wakeWordAddress, 1);
    }

    /** {@return times the owner went to sleep in the kernel (owner's thread)} */
    public long sleeps()
    {
        return sleeps;
    }

    /** {@return FUTEX_WAKE calls this handle made (its raising thread)} */
    public long wakeCalls()
    {
        return wakeCalls;
    }
}

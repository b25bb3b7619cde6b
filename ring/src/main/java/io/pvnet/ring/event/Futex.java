package io.pvnet.ring.event;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Linux {@code futex(2)} through FFM: {@code FUTEX_WAIT} and {@code FUTEX_WAKE} on a 32-bit word of shared memory,
 * <b>without</b> {@code FUTEX_PRIVATE_FLAG}, so a waiter and a waker in two processes mapping the same file (or memfd)
 * meet on the same kernel key (the backing page, not the address). Works between threads of one process too.
 * <p>
 * Syscall numbers by {@code os.arch}: 202 on x86_64, 98 on aarch64. On another OS or architecture
 * {@link #isAvailable()} is false and callers fall back to timed parking.
 * <p>
 * Threading: {@link #wake} from any thread, allocation-free. {@link #await} needs a {@link Waiter} (its timespec and errno
 * buffers), owned by one waiting thread.
 */
public final class Futex
{
    /** {@code FUTEX_WAIT}. */
    public static final int FUTEX_WAIT = 0;
    /** {@code FUTEX_WAKE}. */
    public static final int FUTEX_WAKE = 1;
    /** {@link #await} result: woken (or a spurious return: the caller re-checks either way). */
    public static final int WOKEN = 0;
    /** {@link #await} result: the word no longer held the expected value (a notification came first). */
    public static final int EAGAIN = 11;
    /** {@link #await} result: a signal interrupted the wait. */
    public static final int EINTR = 4;
    /** {@link #await} result: the timeout expired. */
    public static final int ETIMEDOUT = 110;

    private static final long SYS_FUTEX = syscallNumber(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle WAIT;
    private static final MethodHandle SLEEP;
    private static final MethodHandle WAKE;

    static
    {
        MethodHandle waitHandle = null;
        MethodHandle sleepHandle = null;
        MethodHandle wakeHandle = null;
        if (SYS_FUTEX >= 0)
        {
            final Linker linker = Linker.nativeLinker();
            final MemorySegment syscall = linker.defaultLookup().find("syscall").orElse(null);
            if (syscall != null)
            {
                final FunctionDescriptor sevenLongs = FunctionDescriptor.of(
                    JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
                // the wait blocks in the kernel: an ordinary (non-critical) downcall, so the GC can run meanwhile
                waitHandle = linker.downcallHandle(syscall, sevenLongs,
                    Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
                // the wait of an event channel or selector: any result means re-check, so no errno to capture (the
                // capture is a call into the VM and libc's __errno_location on every return, on the woken thread's
                // path to its work)
                sleepHandle = linker.downcallHandle(syscall, sevenLongs, Linker.Option.firstVariadicArg(1));
                wakeHandle = linker.downcallHandle(syscall, sevenLongs, Linker.Option.firstVariadicArg(1));
            }
        }
        WAIT = waitHandle;
        SLEEP = sleepHandle;
        WAKE = wakeHandle;
    }

    private Futex()
    {
    }

    /** {@return the futex syscall number for {@code os.name}/{@code os.arch}, or -1 where unknown} */
    static long syscallNumber(final String osName, final String osArch)
    {
        if (!osName.toLowerCase(Locale.ROOT).contains("linux"))
        {
            return -1;
        }
        return switch (osArch.toLowerCase(Locale.ROOT))
        {
            case "amd64", "x86_64" -> 202;
            case "aarch64", "arm64" -> 98;
            default -> -1;
        };
    }

    /** {@return whether futex calls work here (Linux on x86_64 or aarch64)} */
    public static boolean isAvailable()
    {
        return WAIT != null;
    }

    /** The buffers one waiting thread passes to {@link #await}: a {@code struct timespec} and the captured errno. */
    public static final class Waiter
    {
        private final MemorySegment timespec;
        private final MemorySegment errnoState;

        /** A waiter with its own timespec and errno buffers (allocated once, freed by GC); one per waiting thread. */
        public Waiter()
        {
            final Arena arena = Arena.ofAuto();
            this.timespec = arena.allocate(16, 8);
            this.errnoState = arena.allocate(CAPTURE_LAYOUT);
        }
    }

    /**
     * {@code FUTEX_WAIT}: sleeps while the 32-bit word at {@code address} holds {@code expected}, at most
     * {@code timeoutNs} (relative, CLOCK_MONOTONIC). The compare and the sleep are atomic in the kernel: a waker that
     * changes the word and then calls {@link #wake} cannot be missed.
     *
     * @param address native address of a 4-byte aligned word in memory shared by the waker.
     * @param waiter the calling thread's buffers.
     * @param expected the value the word must hold for the thread to sleep.
     * @param timeoutNs the longest sleep in nanoseconds.
     * @return {@link #WOKEN}, {@link #EAGAIN}, {@link #EINTR}, {@link #ETIMEDOUT} or another errno; the caller re-checks
     *         its condition after any of them.
     */
    public static int await(final Waiter waiter, final long address, final int expected, final long timeoutNs)
    {
        final long ns = Math.max(0, timeoutNs);
        waiter.timespec.set(JAVA_LONG, 0, ns / 1_000_000_000L);
        waiter.timespec.set(JAVA_LONG, 8, ns % 1_000_000_000L);
        final long result;
        try
        {
            result = (long)WAIT.invokeExact(waiter.errnoState, SYS_FUTEX, address, (long)FUTEX_WAIT,
                expected & 0xFFFF_FFFFL, waiter.timespec.address(), 0L, 0L);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("futex wait failed to link", t);
        }
        return result == -1 ? (int)ERRNO.get(waiter.errnoState, 0L) : WOKEN;
    }

    /**
     * As {@link #await}, without saying why it returned (no errno captured): for waiters that re-check their condition
     * after any return, as every {@link WaitPoint} does.
     *
     * @param waiter the calling thread's buffers.
     * @param address native address of a 4-byte aligned word in memory shared by the waker.
     * @param expected the value the word must hold for the thread to sleep.
     * @param timeoutNs the longest sleep in nanoseconds.
     */
    public static void sleep(final Waiter waiter, final long address, final int expected, final long timeoutNs)
    {
        final long ns = Math.max(0, timeoutNs);
        waiter.timespec.set(JAVA_LONG, 0, ns / 1_000_000_000L);
        waiter.timespec.set(JAVA_LONG, 8, ns % 1_000_000_000L);
        try
        {
            final long ignored = (long)SLEEP.invokeExact(SYS_FUTEX, address, (long)FUTEX_WAIT, expected & 0xFFFF_FFFFL,
                waiter.timespec.address(), 0L, 0L);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("futex wait failed to link", t);
        }
    }

    /**
     * {@code FUTEX_WAKE}: wakes up to {@code count} threads (of any process) waiting on the word at {@code address}.
     *
     * @param address native address of the word the waiters sleep on.
     * @param count the most threads to wake ({@code Integer.MAX_VALUE} for all).
     * @return threads woken, or -1 on error (a bad address: nothing to wake there).
     */
    public static int wake(final long address, final int count)
    {
        try
        {
            return (int)(long)WAKE.invokeExact(SYS_FUTEX, address, (long)FUTEX_WAKE, (long)count, 0L, 0L, 0L);
        }
        catch (final Throwable t)
        {
            return -1;
        }
    }
}

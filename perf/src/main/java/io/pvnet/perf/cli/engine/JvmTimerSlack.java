package io.pvnet.perf.cli.engine;

import io.pvnet.perf.proc.ProcThreads;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Lets the kernel run the JVM's own idle timers when the CPU wakes anyway instead of waking it for each: a long timer
 * slack ({@code /proc/TID/timerslack_ns}, as {@code prctl(PR_SET_TIMERSLACK)} sets for the calling thread) on the
 * three JVM threads that poll on a 5 s timer in an idle daemon.
 * <p>
 * An idle {@code pvnet switch} or {@code pvnet guest} JVM wakes those three threads every 5 s whatever it does: the
 * {@code VM Periodic Task Thread} (HotSpot's {@code ChunkPoolCleaner}) and the C1 and C2 compiler threads (their wait
 * on an empty queue is timed, so that surplus compiler threads can exit). On this VM each wake-up of an idle CPU costs
 * 0.5-1 ms of CPU, so they were most of an idle guest's cost. With {@link #SLACK_NS} of slack a timer of theirs fires
 * at the CPU's next wake-up after it is due (any thread's timer or event), at the latest that much later; nothing they
 * do is late in a way that matters: pooled arena chunks are freed later, and a compiler thread is woken at once by a
 * compilation request (no timer involved).
 * <p>
 * Only those threads, by name: never the {@code VM Thread} (its back-off while threads reach a safepoint is a timed
 * sleep) nor pvnet's own threads (their timed sleeps are deadlines: housekeeping, credit windows, capture flushes).
 * Compiler threads the JVM adds later inherit their creator's slack. Setting another thread's slack needs
 * {@code CAP_SYS_NICE} (root has it); without it nothing changes and {@link #apply()} returns 0.
 * <p>
 * Threading: any thread, once the JVM has started (in a daemon command's start-up).
 */
final class JvmTimerSlack
{
    /** The slack given: the JVM's 5 s timers fire with whatever wakes the CPU first, at the latest this much later. */
    static final long SLACK_NS = 30_000_000_000L;

    /** Names ({@code comm}: the first 15 characters) of the JVM's timer-polling threads, by prefix. */
    private static final List<String> TIMER_POLLING_THREADS = List.of("VM Periodic Tas", "C1 CompilerThre",
        "C2 CompilerThre");

    private JvmTimerSlack()
    {
    }

    /**
     * Gives the JVM's timer-polling threads of this process {@link #SLACK_NS} of timer slack (the compiler threads'
     * present now: take it after start-up, when the JVM has started them).
     *
     * @return threads whose slack was set; 0 when none could be (no {@code CAP_SYS_NICE}, no {@code /proc}).
     */
    static int apply()
    {
        final ProcThreads self = ProcThreads.self();
        int set = 0;
        for (final int tid : self.threadIds())
        {
            final String name = self.name(tid);
            if (name != null && TIMER_POLLING_THREADS.stream().anyMatch(name::startsWith))
            {
                set += setSlack(tid) ? 1 : 0;
            }
        }
        return set;
    }

    private static boolean setSlack(final int tid)
    {
        try
        {
            // /proc/TID, not /proc/self/task/TID: the kernel has timerslack_ns at the top level only
            Files.writeString(Path.of("/proc", Integer.toString(tid), "timerslack_ns"), Long.toString(SLACK_NS),
                StandardCharsets.US_ASCII);
            return true;
        }
        catch (final IOException ex)
        {
            return false; // gone meanwhile, or not allowed (EPERM without CAP_SYS_NICE)
        }
    }
}

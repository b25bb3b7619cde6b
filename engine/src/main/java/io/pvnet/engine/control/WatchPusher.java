package io.pvnet.engine.control;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@link GuestControlServer}'s watch thread: pushes the changes of each attached guest's backend directory to it
 * (its watch events): every millisecond for 200 ms after any guest message ({@link #poke}: a negotiation answers
 * within a millisecond), at once when the host thread reports a store change ({@link #storeChanged()}), and once a
 * second otherwise; not at all while idle when the host thread reports every change ({@link #hostReportsStoreChanges()}:
 * an idle switch's watch thread sleeps).
 * <p>
 * Threading: its own thread; {@link #add}, {@link #remove}, {@link #poke} and {@link #storeChanged()} from any thread
 * (a concurrent set, volatile fields and {@code unpark}); {@link #hostReportsStoreChanges()} before {@link #start()}.
 */
final class WatchPusher
{
    private static final long WATCH_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * With no guest message for {@link #FAST_WATCH_NS}, and nobody calling {@link #storeChanged()}: how long a store
     * change made by the host alone may wait (the switch's host thread calls {@link #storeChanged()} at once).
     */
    private static final long IDLE_WATCH_PERIOD_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long FAST_WATCH_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Set<GuestSession> attached = ConcurrentHashMap.newKeySet();
    private final Thread thread = Thread.ofPlatform().daemon().name("pvnet-control-watch").unstarted(this::watchLoop);
    private volatile long fastUntilNs;
    private volatile boolean hostReports;
    private volatile boolean running = true;

    void start()
    {
        thread.start();
    }

    /** Pushes to {@code guest} from now on. */
    void add(final GuestSession guest)
    {
        attached.add(guest);
    }

    /** Stops pushing to {@code guest}. */
    void remove(final GuestSession guest)
    {
        attached.remove(guest);
    }

    /** A guest spoke: look every millisecond for the next 200 ms. */
    void poke()
    {
        fastUntilNs = System.nanoTime() + FAST_WATCH_NS;
        LockSupport.unpark(thread);
    }

    /** The store changed: push now. Allocation-free. */
    void storeChanged()
    {
        LockSupport.unpark(thread);
    }

    /** The host thread reports every store change: sleep while no guest talks. Before {@link #start()}. */
    void hostReportsStoreChanges()
    {
        hostReports = true;
    }

    /** Stops the thread, waiting for it up to a second. */
    void close() throws InterruptedException
    {
        running = false;
        LockSupport.unpark(thread);
        thread.join(1_000);
    }

    private void watchLoop()
    {
        while (running)
        {
            for (final GuestSession guest : attached)
            {
                guest.publishBackendKeys();
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
}

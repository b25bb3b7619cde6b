package io.pvnet.ring.event;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.Locale;

/**
 * How a waiter idles, chosen by configuration ({@code busy-spin}, {@code backoff}, {@code sleep}, {@code adaptive}, and
 * {@code yield}, {@code park}, {@code noop}); each value makes a fresh Agrona {@link IdleStrategy} (strategies are
 * stateful, one per thread).
 * <ul>
 *   <li>{@code sleep} and {@code adaptive} sleep in the kernel on a {@link WaitPoint} (an {@link EventChannel} or an
 *   {@link EventSelector}) until a peer notifies: an idle thread costs nothing. {@code adaptive} first keeps polling for
 *   {@link #spinWindowNs()} after the last work (NAPI: busy traffic never pays a syscall), at least 1 ms once the thread
 *   has stayed awake with work for 1 ms (a stream, {@link WaitPointIdleStrategy#STREAM_WINDOW_NS}); {@code sleep} sleeps
 *   at the first idle cycle. Without a wait point ({@link #newIdleStrategy()}) they back off to 1 ms parks.</li>
 *   <li>{@code busy-spin}, {@code noop}: burn a core, lowest latency; {@code backoff}: spin, yield, then park 1-100 µs.</li>
 * </ul>
 * Linux's default timer slack (50 µs) applies to every timed park; a futex wake is not a timer and does not pay it.
 */
public enum IdleMode
{
    /** {@link BusySpinIdleStrategy}: {@code Thread.onSpinWait()}; lowest latency, burns a core. */
    BUSY_SPIN("busy-spin"),
    /** {@link YieldingIdleStrategy}: {@code Thread.yield()}. */
    YIELD("yield"),
    /** {@link BackoffIdleStrategy}: spin 100, yield 10, then park from 1 µs up to 100 µs. */
    BACKOFF("backoff"),
    /** {@link SleepingIdleStrategy}: {@code parkNanos(PARK_NS)} each idle round. */
    PARK("park"),
    /** {@link NoOpIdleStrategy}: returns at once (the caller's loop spins); for benchmarks. */
    NOOP("noop"),
    /** Sleep on the wait point at the first idle cycle (after the final check). */
    SLEEP("sleep"),
    /**
     * Poll for the spin window after the last work (the streaming window while a stream keeps the thread awake), then
     * sleep on the wait point (NAPI).
     */
    ADAPTIVE("adaptive");

    /** Nanoseconds {@link #PARK} parks for per idle round. */
    public static final long PARK_NS = 50_000;
    /** Default spin window of {@link #ADAPTIVE}: {@code -Dpvnet.idle.spin.us} (µs), 50 µs unless set. */
    public static final long DEFAULT_SPIN_WINDOW_NS = Long.getLong("pvnet.idle.spin.us", 50) * 1_000;
    /** Longest spin window {@link #spinWindowNs(long)} accepts. */
    public static final long MAX_SPIN_WINDOW_NS = 1_000_000_000L;

    private static volatile long spinWindowNs = DEFAULT_SPIN_WINDOW_NS;
    /** Longest sleep of {@link #SLEEP}/{@link #ADAPTIVE} before the agent runs its timers again. */
    public static final long DEFAULT_MAX_SLEEP_NS = 100_000_000L;

    private final String configName;

    IdleMode(final String configName)
    {
        this.configName = configName;
    }

    /** {@return the name used in configuration, for example {@code busy-spin}} */
    public String configName()
    {
        return configName;
    }

    /** {@return whether this mode sleeps on a wait point} */
    public boolean sleeps()
    {
        return this == SLEEP || this == ADAPTIVE;
    }

    /** {@return the spin window of {@link #ADAPTIVE} in ns (process-wide; {@code --spin-us} on the commands)} */
    public static long spinWindowNs()
    {
        return spinWindowNs;
    }

    /**
     * Sets the spin window of {@link #ADAPTIVE} for idle strategies and waits created from now on (configuration time).
     *
     * @param windowNs how long to keep polling after the last work, in nanoseconds (0: sleep at once).
     * @throws IllegalArgumentException with {@code spinWindowNs=value} outside 0..{@value #MAX_SPIN_WINDOW_NS}.
     */
    public static void spinWindowNs(final long windowNs)
    {
        if (windowNs < 0 || windowNs > MAX_SPIN_WINDOW_NS)
        {
            throw new IllegalArgumentException("spinWindowNs=" + windowNs + " must be in 0.." + MAX_SPIN_WINDOW_NS);
        }
        spinWindowNs = windowNs;
    }

    /** {@return a new idle strategy of this kind; {@link #SLEEP}/{@link #ADAPTIVE} without a wait point back off} */
    public IdleStrategy newIdleStrategy()
    {
        return switch (this)
        {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(100, 10, 1_000, 100_000);
            case PARK -> new SleepingIdleStrategy(PARK_NS);
            case NOOP -> NoOpIdleStrategy.INSTANCE;
            case SLEEP, ADAPTIVE -> new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
        };
    }

    /**
     * {@return a new idle strategy that sleeps on {@code waitPoint} in {@link #SLEEP}/{@link #ADAPTIVE}}
     * @param waitPoint where {@link #SLEEP} and {@link #ADAPTIVE} sleep; ignored by the other modes.
     */
    public IdleStrategy newIdleStrategy(final WaitPoint waitPoint)
    {
        return newIdleStrategy(waitPoint, spinWindowNs, DEFAULT_MAX_SLEEP_NS);
    }

    /**
     * As {@link #newIdleStrategy(WaitPoint)} with an explicit spin window and longest sleep.
     * @param waitPoint where {@link #SLEEP} and {@link #ADAPTIVE} sleep; ignored by the other modes.
     * @param spinWindowNs how long to keep polling after the last work before sleeping, in nanoseconds.
     * @param maxSleepNs the longest sleep before the agent runs again, in nanoseconds.
     * @return a new idle strategy for one agent thread.
     */
    public IdleStrategy newIdleStrategy(final WaitPoint waitPoint, final long spinWindowNs, final long maxSleepNs)
    {
        return switch (this)
        {
            case SLEEP -> new WaitPointIdleStrategy(waitPoint, 0, maxSleepNs);
            case ADAPTIVE -> new WaitPointIdleStrategy(waitPoint, spinWindowNs, maxSleepNs);
            default -> newIdleStrategy();
        };
    }

    /**
     * Parses a mode as given on the command line or in configuration.
     * @param name a {@link #configName()} or enum name, any case.
     * @return the mode named.
     * @throws IllegalArgumentException naming the accepted values when {@code name} is not one.
     */
    public static IdleMode fromName(final String name)
    {
        for (final IdleMode mode : values())
        {
            if (mode.configName.equalsIgnoreCase(name) || mode.name().equalsIgnoreCase(name))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("idle=" + name +
            " is not one of busy-spin, backoff, sleep, adaptive, yield, park, noop");
    }

    @Override
    public String toString()
    {
        return configName.toLowerCase(Locale.ROOT);
    }
}

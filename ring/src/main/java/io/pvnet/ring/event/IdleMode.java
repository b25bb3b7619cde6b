package io.pvnet.ring.event;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.Locale;

/**
 * How a waiter idles, chosen by configuration ({@code busy-spin}, {@code yield}, {@code backoff}, {@code park},
 * {@code noop}); each value makes a fresh Agrona {@link IdleStrategy} (strategies are stateful, one per thread).
 * Note Linux's default timer slack (50 µs): {@code park} and the last stage of {@code backoff} sleep tens of µs, so
 * latency measurements must busy-spin.
 */
public enum IdleMode
{
    /** {@link BusySpinIdleStrategy}: {@code Thread.onSpinWait()}; lowest latency, burns a core. */
    BUSY_SPIN("busy-spin"),
    /** {@link YieldingIdleStrategy}: {@code Thread.yield()}. */
    YIELD("yield"),
    /** {@link BackoffIdleStrategy} with Agrona's defaults: spin, then yield, then park from 1 µs up to 1 ms. */
    BACKOFF("backoff"),
    /** {@link SleepingIdleStrategy}: {@code parkNanos(PARK_NS)} each idle round. */
    PARK("park"),
    /** {@link NoOpIdleStrategy}: returns at once (the caller's loop spins); for benchmarks. */
    NOOP("noop");

    /** Nanoseconds {@link #PARK} parks for per idle round. */
    public static final long PARK_NS = 50_000;

    private final String configName;

    IdleMode(final String configName)
    {
        this.configName = configName;
    }

    /** @return the name used in configuration, for example {@code busy-spin}. */
    public String configName()
    {
        return configName;
    }

    /** @return a new idle strategy of this kind. */
    public IdleStrategy newIdleStrategy()
    {
        return switch (this)
        {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy();
            case PARK -> new SleepingIdleStrategy(PARK_NS);
            case NOOP -> NoOpIdleStrategy.INSTANCE;
        };
    }

    /**
     * @param name a {@link #configName()} or enum name, any case.
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
        throw new IllegalArgumentException("idle=" + name + " is not one of busy-spin, yield, backoff, park, noop");
    }

    @Override
    public String toString()
    {
        return configName.toLowerCase(Locale.ROOT);
    }
}

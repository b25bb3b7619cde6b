package io.pvnet.perf.ring;

/**
 * A round trip between two threads: {@link #roundTrip(long)} on the measuring thread sends a value that an echo thread
 * (started by {@link #start()}) sends straight back. Both sides busy-spin without {@code onSpinWait}, the same way in
 * every implementation, so the difference is the channel. Allocation-free per round trip.
 */
public abstract class PingPong implements AutoCloseable
{
    private volatile boolean running;
    private Thread echoThread;

    /** @return a fresh ping-pong by name: {@code pvnet}, {@code pvnet-padded} or {@code baseline}. */
    public static PingPong create(final String name)
    {
        return switch (name)
        {
            case "pvnet" -> new PvnetPingPong(io.pvnet.ring.RingLayout.XEN);
            case "pvnet-padded" -> new PvnetPingPong(io.pvnet.ring.RingLayout.PADDED);
            case "baseline" -> new VolatilePingPong();
            default -> throw new IllegalArgumentException("pingpong=" + name + " is not one of pvnet, pvnet-padded, baseline");
        };
    }

    /** Starts the echo thread. */
    public final void start()
    {
        running = true;
        echoThread = Thread.ofPlatform().daemon().name("pvnet-echo").start(this::echoLoop);
    }

    /**
     * Sends {@code value} and waits for it to come back.
     *
     * @return the value the echo thread sent back.
     */
    public abstract long roundTrip(long value);

    /** Echo thread: answers one ping if there is one; returns true if it did. */
    abstract boolean echoOnce();

    private void echoLoop()
    {
        while (running)
        {
            echoOnce();
        }
    }

    /** Stops and joins the echo thread. */
    @Override
    public final void close()
    {
        running = false;
        if (echoThread != null)
        {
            try
            {
                echoThread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}

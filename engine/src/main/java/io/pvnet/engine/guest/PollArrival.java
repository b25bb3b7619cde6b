package io.pvnet.engine.guest;

import org.agrona.concurrent.NanoClock;

/**
 * The arrival time of a poll's datagrams, for the jitter ({@link StreamCounter}): one clock read per poll, at its first
 * datagram, as the ring hands a batch over together (a read per datagram cost a third of the count's time).
 * {@link #nextPoll()} makes the next datagram read the clock again.
 * <p>
 * Threading: the polling thread only. Allocates nothing.
 */
final class PollArrival
{
    private final NanoClock clock;
    private long arrivalNs;
    private boolean stamped;

    PollArrival(final NanoClock clock)
    {
        this.clock = clock;
    }

    /** {@return when the poll's datagrams arrived: the clock at the poll's first call} */
    long arrivalNs()
    {
        if (!stamped)
        {
            arrivalNs = clock.nanoTime();
            stamped = true;
        }
        return arrivalNs;
    }

    /** The poll ended: the next datagram is of another batch. */
    void nextPoll()
    {
        stamped = false;
    }
}

package io.pvnet.perf.bench;

import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.EventChannelDescriptor;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.share.LinuxCalls;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floors {@link WakeScenario} compares its paths with: two threads waking each other and nothing else, through
 * event channels ({@code baseline.futex.rtt}) or eventfds and epoll ({@code baseline.eventfd.rtt}), timed as the paths
 * are ({@link WakeRoundTrips}).
 * <p>
 * Threading: called on the harness thread, which pings; each baseline starts its own ponging thread and stops it.
 */
final class WakeBaselines
{
    private WakeBaselines()
    {
    }

    /** Two threads waking each other through event channels in {@code sleep} mode: two kernel wake-ups. */
    static Histogram futexRoundTrips(final ScenarioContext context) throws Exception
    {
        final Histogram histogram = new Histogram(WakeRoundTrips.TIMEOUT_NS, 3);
        final UnsafeBuffer ports = new UnsafeBuffer(ByteBuffer.allocateDirect(EventChannelDescriptor.lengthBytes(2)));
        final EventChannel pinger = new EventChannel(ports, 0, 1, IdleMode.SLEEP);
        final EventChannel ponger = new EventChannel(ports, 1, 0, IdleMode.SLEEP);
        final Thread thread = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                if (ponger.await(WakeRoundTrips.TIMEOUT_NS))
                {
                    ponger.notifyPeer();
                }
            }
        }, "futex-pong");
        thread.setDaemon(true);
        thread.start();
        try
        {
            WakeRoundTrips.measure(context, "baseline.futex.rtt", new AtomicLong(), histogram, null, null, () ->
            {
                final long start = System.nanoTime();
                pinger.notifyPeer();
                return pinger.await(WakeRoundTrips.TIMEOUT_NS) ? System.nanoTime() - start : -1;
            });
        }
        finally
        {
            thread.interrupt();
            thread.join(2_000);
        }
        return histogram;
    }

    /**
     * Two threads waking each other through eventfds, each asleep in its own epoll ({@code EPOLLET}, no read): the
     * kick path of isolated guests (a guest writes its kick fd, the host sleeps in epoll), against the futex above.
     */
    static Histogram eventfdRoundTrips(final ScenarioContext context) throws Exception
    {
        final Histogram histogram = new Histogram(WakeRoundTrips.TIMEOUT_NS, 3);
        final int pingFd = LinuxCalls.eventfd();
        final int pongFd = LinuxCalls.eventfd();
        final int pingEpoll = LinuxCalls.epollCreate();
        final int pongEpoll = LinuxCalls.epollCreate();
        try (Arena arena = Arena.ofShared())
        {
            final MemorySegment scratch = arena.allocate(16, 8);
            LinuxCalls.epollAdd(pingEpoll, pingFd, LinuxCalls.EPOLLIN | LinuxCalls.EPOLLET, 0, scratch);
            LinuxCalls.epollAdd(pongEpoll, pongFd, LinuxCalls.EPOLLIN | LinuxCalls.EPOLLET, 0, scratch);
            final MemorySegment pingEvents = arena.allocate(64, 8);
            final MemorySegment pongEvents = arena.allocate(64, 8);
            final Thread thread = new Thread(() ->
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    if (LinuxCalls.epollWait(pongEpoll, pongEvents, 4, 100) > 0)
                    {
                        LinuxCalls.eventfdSignal(pingFd);
                    }
                }
            }, "eventfd-pong");
            thread.setDaemon(true);
            thread.start();
            try
            {
                WakeRoundTrips.measure(context, "baseline.eventfd.rtt", new AtomicLong(), histogram, null, null, () ->
                {
                    final long start = System.nanoTime();
                    LinuxCalls.eventfdSignal(pongFd);
                    return LinuxCalls.epollWait(pingEpoll, pingEvents, 4, (int)(WakeRoundTrips.TIMEOUT_NS / 1_000_000)) > 0 ?
                        System.nanoTime() - start : -1;
                });
            }
            finally
            {
                thread.interrupt();
                thread.join(2_000);
            }
        }
        finally
        {
            LinuxCalls.close(pingEpoll);
            LinuxCalls.close(pongEpoll);
            LinuxCalls.close(pingFd);
            LinuxCalls.close(pongFd);
        }
        return histogram;
    }
}

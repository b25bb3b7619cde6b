package io.pvnet.perf.bench;

import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.EventChannelDescriptor;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.share.LinuxCalls;
import io.pvnet.engine.RateLimitedErrorHandler;
import io.pvnet.ring.event.RunnerStop;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The floors {@link WakeScenario} compares its paths with, timed as the paths are ({@link WakeRoundTrips}): two
 * threads waking each other and nothing else, through event channels ({@code baseline.futex.rtt}) or eventfds and
 * epoll ({@code baseline.eventfd.rtt}); and the floor of {@code wake.rtt} itself ({@code baseline.futex1.rtt}): one
 * kernel wake-up, the sender polling for the answer as the guest does.
 * <p>
 * Threading: called on the harness thread, which pings; each baseline starts its own ponging thread and stops it.
 */
final class WakeBaselines
{
    private WakeBaselines()
    {
    }

    /**
     * Two threads waking each other through event channels in {@code sleep} mode: two kernel wake-ups. Sets them up,
     * hands the path to {@code whileAlive} (which measures it, interleaved with {@code wake.relay.rtt}'s) and stops the
     * ponging thread. It sleeps as soon as it answered ({@code sleep} mode: no spin window), so the path has no asleep
     * check.
     *
     * @param histogram  where the measured round trips go, ns.
     * @param whileAlive what runs while the ponging thread lives.
     */
    static void futexPath(
        final ScenarioContext context, final Histogram histogram, final WakeRoundTrips.WhileAlive whileAlive)
        throws Exception
    {
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
            whileAlive.measure(new WakeRoundTrips.Path("baseline.futex.rtt", histogram, null, null, () ->
            {
                final long start = System.nanoTime();
                pinger.notifyPeer();
                return pinger.await(WakeRoundTrips.TIMEOUT_NS) ? System.nanoTime() - start : -1;
            }));
        }
        finally
        {
            thread.interrupt();
            thread.join(2_000);
        }
    }

    /**
     * The floor of {@code wake.rtt}: what its round trip costs with no ring, no frame and no backend in it. The sender
     * (the harness thread, as the guest) raises a thread asleep on an event channel ({@code FUTEX_WAKE}, the one
     * kernel wake-up of {@code wake.rtt}) and polls its own port for the answer with the idle strategy of {@code mode}
     * (the guest's: yielding through its spin window); the woken thread, an agent idling as the host thread does
     * ({@code mode} on its channel: a spin window after its work, then armed asleep), raises the sender's port (one
     * atomic add: the sender polls) and falls asleep again. Each round trip starts with that thread in its sleep, as
     * {@code wake.rtt}'s. Stages as {@code wake.rtt}'s ({@link WakeStages#FLOOR}): the kick returned, the thread
     * back from its sleep; {@code wake.rtt} above this floor is what its rings, frame and duty cycles add.
     * <p>
     * Sets the floor up, hands its path to {@code whileAlive} (which measures it, alone or interleaved with
     * {@code wake.rtt}'s), then reports its stages and errors and stops its thread.
     *
     * @param histogram  where the measured round trips go, ns.
     * @param whileAlive what runs while the floor's thread lives.
     */
    static void oneWakePath(
        final ScenarioContext context, final IdleMode mode, final Histogram histogram,
        final WakeRoundTrips.WhileAlive whileAlive) throws Exception
    {
        final UnsafeBuffer ports = new UnsafeBuffer(ByteBuffer.allocateDirect(EventChannelDescriptor.lengthBytes(2)));
        final EventChannel sender = new EventChannel(ports, 0, 1, mode);
        final EventChannel woken = new EventChannel(ports, 1, 0, mode);
        final WakeStages stages = new WakeStages(WakeStages.FLOOR);
        final WakeStages.Stamped sleep = new WakeStages.Stamped(woken, stages, WakeStages.HOST);
        final RateLimitedErrorHandler errors = new RateLimitedErrorHandler("pvnet bench wake", System.err, 1_000);
        final AgentRunner runner = new AgentRunner(mode.newIdleStrategy(sleep), errors, null, new Answer(woken));
        AgentRunner.startOnThread(runner);
        try
        {
            final IdleStrategy idle = mode.newIdleStrategy(sender);
            whileAlive.measure(new WakeRoundTrips.Path("baseline.futex1.rtt", histogram, stages::reset, sleep::asleep,
                () ->
                {
                    while (sender.poll())
                    {
                        // a stale answer of a timed-out round
                    }
                    final long start = System.nanoTime();
                    stages.begin(start);
                    sender.notifyPeer();
                    stages.stamp(WakeStages.KICK);
                    idle.reset();
                    while (!sender.poll())
                    {
                        if (System.nanoTime() - start > WakeRoundTrips.TIMEOUT_NS)
                        {
                            stages.end(false);
                            return -1;
                        }
                        idle.idle(0);
                    }
                    idle.reset();
                    final long end = System.nanoTime();
                    stages.end(true);
                    return end - start;
                }));
            stages.report(context);
        }
        finally
        {
            RunnerStop.close(runner, sender::notifyPeer);
        }
        if (errors.errors() > 0)
        {
            context.report("baseline.futex1.rtt.errors", errors.errors(), "errors");
        }
    }

    /** The floor's woken thread: answers every notification with one (the sender polls: an atomic add). */
    private static final class Answer implements Agent
    {
        private final EventChannel channel;

        Answer(final EventChannel channel)
        {
            this.channel = channel;
        }

        @Override
        public int doWork()
        {
            if (channel.poll())
            {
                channel.notifyPeer();
                return 1;
            }
            return 0;
        }

        @Override
        public String roleName()
        {
            return "wake-floor";
        }
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
                WakeRoundTrips.measure(context, new WakeRoundTrips.Path("baseline.eventfd.rtt", histogram, null, null,
                    () ->
                {
                    final long start = System.nanoTime();
                    LinuxCalls.eventfdSignal(pongFd);
                    return LinuxCalls.epollWait(pingEpoll, pingEvents, 4, (int)(WakeRoundTrips.TIMEOUT_NS / 1_000_000)) > 0 ?
                        System.nanoTime() - start : -1;
                }));
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

package io.pvnet.perf.bench;

import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifPoller;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.RateLimitedErrorHandler;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.EventChannelDescriptor;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.event.RunnerStop;
import io.pvnet.ring.region.Region;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.pvnet.ring.share.LinuxCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * {@code wake}: round trips of one 64-byte frame when the threads that carry it were asleep (2 ms between frames, far
 * beyond the 50 µs spin window), every thread idling with {@code --idle} (default adaptive: each sleeps on its event
 * channel after the spin window), in µs:
 * <ul>
 * <li>{@code wake.rtt.p50/.p99}: guest -> backend -> guest, the round trip. The backend's ingress hands the
 * frame straight back to the same vif (a reflecting port), so the frame crosses the rings twice and the host thread,
 * asleep, is woken by the guest's kick; the guest polls through its spin window for the answer, as a NAPI guest does.
 * Two threads, as the baselines.</li>
 * <li>{@code wake.relay.rtt.p50/.p99}: guest A -> backend -> guest B, echoed back to A: the host thread and B asleep.
 * Three threads on the host's cores (on 2 vCPUs the third always lands on a polling one): two kernel wake-ups (A wakes
 * the host thread, which wakes B; the host and A still poll when the echo comes back) and two hand-overs to a
 * polling thread, up to four wake-ups when a round trip outlasts a spin window.</li>
 * <li>{@code baseline.futex.rtt.*}: two threads waking each other through event channels in {@code sleep} mode,
 * nothing else (the floor of two kernel wake-ups); {@code baseline.eventfd.rtt.*}: the same with eventfds and epoll,
 * the kick path of guests in their own memory.</li>
 * </ul>
 * Where a round trip's time goes, from the sender's clock start ({@link WakeStages}; each over the round trips in which
 * that thread was asleep; a clock read per stage on each thread): {@code wake.kick.p50} until the guest's send and
 * flush return (its kick, the host's {@code FUTEX_WAKE} included), {@code wake.host.p50} until the host thread returns
 * from its sleep, {@code wake.answered.p50} until it ends its first duty cycle with work (the answer pushed; the rest
 * of the round trip is the polling guest seeing it). The relay's: {@code wake.relay.kick}, {@code wake.relay.host},
 * {@code wake.relay.forwarded} (the duty cycle that handed the frame to B and woke B done), {@code wake.relay.echo}
 * (B back from its sleep), {@code wake.relay.echoed} (B has written the echo); the rest is B -> host -> A, hand-overs
 * to threads still polling.
 * <p>
 * Both sides asleep: after the 2 ms gap the sender also waits (up to 20 ms, in 100 µs parks) until every thread the
 * frame must wake is in its sleep; a frame sent while one is still awake (preempted in its spin window on a loaded
 * machine) is counted as {@code .awake}. The sender itself (the guest) was parked through the gap; its clock starts
 * after the stale-answer check, as it sends. Before that it lets the threads its gap timer woke with it run first
 * ({@link CpuSettle}: slack-coalesced timers of unrelated threads on the same vCPU, which the host thread, woken onto
 * that vCPU, would otherwise queue behind); a round trip that waited for one counts as {@code .deferred}. Agent errors
 * are one line on stderr each and a {@code .errors} figure.
 * <p>
 * Warm-up: first the measured path as fast as it allows (half the warm-up, at least 20,000 round trips within the whole
 * warm-up): each frame as soon as the threads it must wake are asleep, so that the JIT compiles the path, its sleep and
 * wake-up branches included, before it is measured; then round trips at the measured cadence. At one round trip per
 * 2 ms the vif path's methods reached C2 only 8-10 s after start; after a back-to-back warm-up (the host thread never
 * slept) the sleep path was first compiled during the measurement and the host's C2 {@code AgentRunner.doWork}
 * deoptimised at the first gapped round trips (an uncommon trap, -XX:+PrintCompilation); none in the measured window
 * since.
 */
public final class WakeScenario implements Scenario
{
    private static final long GAP_NS = 2_000_000L;
    /**
     * Whether the sender lets the threads woken with it run before each measured round trip ({@link CpuSettle}):
     * {@code -Dpvnet.bench.wake.settle=false} measures without (the round trip may start behind them).
     */
    private static final boolean SETTLE = Boolean.parseBoolean(System.getProperty("pvnet.bench.wake.settle", "true"));
    /** Longest extra wait for the threads a frame must wake to be asleep, and the step of that wait. */
    private static final long ASLEEP_WAIT_NS = 20_000_000L;
    private static final long ASLEEP_POLL_NS = 100_000L;
    /** The warm-up's step: as short as a park goes (the kernel's timer slack, 50 us, makes it longer). */
    private static final long HOT_ASLEEP_POLL_NS = 1_000L;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int FRAME = 64;
    /** Fewest fast warm-up round trips before the gapped ones (the path's code compiled, see {@link #hotWarmup}). */
    private static final long HOT_ROUND_TRIPS = 20_000;
    /** Longest fast warm-up when the whole warm-up is shorter, ns (a loaded machine's round trips are slow). */
    private static final long HOT_LIMIT_NS = 1_000_000_000L;

    @Override
    public String name()
    {
        return "wake";
    }

    @Override
    public String description()
    {
        return "round trip of one frame guest -> backend -> guest with every thread asleep (us); futex ping-pong baseline";
    }

    @Override
    public int measurementCount()
    {
        return 3;
    }

    @Override
    public int busyThreads()
    {
        return 0;
    }

    @Override
    public void run(final ScenarioContext context) throws Exception
    {
        final IdleMode mode = context.options().idle(IdleMode.ADAPTIVE);
        context.baseline("baseline");
        report(context, "wake.rtt", reflectRoundTrips(context, mode));
        report(context, "wake.relay.rtt", relayRoundTrips(context, mode));
        report(context, "baseline.futex.rtt", futexRoundTrips(context));
        report(context, "baseline.eventfd.rtt", eventfdRoundTrips(context));
        context.compare("wake.rtt.p50", "baseline.futex.rtt.p50");
        context.compare("wake.relay.rtt.p50", "baseline.futex.rtt.p50");
    }

    private static void report(final ScenarioContext context, final String name, final Histogram histogram)
    {
        context.report(name + ".p50", histogram.getValueAtPercentile(50) / 1000.0, "us");
        context.report(name + ".p99", histogram.getValueAtPercentile(99) / 1000.0, "us");
    }

    /** One vif whose backend sends every frame back to its own guest: guest -> backend -> guest. */
    private static Histogram reflectRoundTrips(final ScenarioContext context, final IdleMode mode) throws Exception
    {
        final Histogram histogram = new Histogram(TIMEOUT_NS, 3);
        final WakeStages stages = new WakeStages(WakeStages.REFLECT);
        final RateLimitedErrorHandler errors = errorHandler();
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(1)))
        {
            final VifRegion vifRegion = VifRegion.create(region, 1);
            final VifPoller poller = new VifPoller(VifSections.createSelector(region, 1), vifRegion.store());
            final VifConfig config = VifConfig.of(1, 0);
            final VifBackend[] self = new VifBackend[1];
            // the reflecting port: what the guest sends comes back to it on the backend's own thread
            final FrameSink reflect = (buffer, offset, length, metadata) -> self[0].offer(buffer, offset, length, metadata);
            self[0] = VifBackend.create(vifRegion, config, reflect, NoFrameOffload.INSTANCE);
            poller.add(self[0]);
            final VifFrontend guest = VifFrontend.create(vifRegion, config, self[0].counters(), NoFrameOffload.INSTANCE);
            final WakeStages.Stamped hostSleep = new WakeStages.Stamped(poller, stages, WakeStages.HOST);
            final AgentRunner host = new AgentRunner(mode.newIdleStrategy(hostSleep), errors, null,
                new WakeStages.FirstWork(poller, stages, WakeStages.ANSWERED));
            AgentRunner.startOnThread(host);
            try
            {
                awaitConnected(guest, self[0]);
                final Sender sender = new Sender(guest, mode, stages);
                measure(context, "wake.rtt", new AtomicLong(), histogram, stages::reset, hostSleep::asleep,
                    sender::roundTrip);
                stages.report(context);
            }
            finally
            {
                RunnerStop.close(host, poller::wake);
            }
        }
        reportErrors(context, "wake.rtt", errors);
        return histogram;
    }

    /** Agent errors: one line each on stderr (rate-limited), never a stack trace; counted as a figure. */
    private static RateLimitedErrorHandler errorHandler()
    {
        return new RateLimitedErrorHandler("pvnet bench wake", System.err, 1_000);
    }

    private static void reportErrors(final ScenarioContext context, final String what, final RateLimitedErrorHandler errors)
    {
        if (errors.errors() > 0)
        {
            context.report(what + ".errors", errors.errors(), "errors");
        }
    }

    private static void awaitConnected(final VifFrontend frontend, final VifBackend backend) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(frontend.isConnected() && backend.isConnected()) && System.nanoTime() - deadline < 0)
        {
            frontend.doWork();
            Thread.sleep(1);
        }
        if (!frontend.isConnected() || !backend.isConnected())
        {
            throw new IllegalStateException("vif did not connect: frontend " + frontend.state() + ", backend " +
                backend.state());
        }
    }

    /** Two vifs on a crossover: guest A -> backend -> guest B, echoed back to A. */
    private static Histogram relayRoundTrips(final ScenarioContext context, final IdleMode mode) throws Exception
    {
        final Histogram histogram = new Histogram(TIMEOUT_NS, 3);
        final WakeStages stages = new WakeStages(WakeStages.RELAY);
        final RateLimitedErrorHandler errors = errorHandler();
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(2)))
        {
            final VifRegion vifRegion = VifRegion.create(region, 2);
            final VifPoller poller = new VifPoller(VifSections.createSelector(region, 2), vifRegion.store());
            final VifBackend[] backends = new VifBackend[2];
            final VifConfig configA = VifConfig.of(1, 0);
            final VifConfig configB = VifConfig.of(2, 0);
            final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
            backends[0] = cable.plug(0, VifBackend.create(vifRegion, configA, cable.ingress(0), NoFrameOffload.INSTANCE));
            backends[1] = cable.plug(1, VifBackend.create(vifRegion, configB, cable.ingress(1), NoFrameOffload.INSTANCE));
            poller.add(backends[0]);
            poller.add(backends[1]);
            final VifFrontend a = VifFrontend.create(vifRegion, configA, backends[0].counters(), NoFrameOffload.INSTANCE);
            final VifFrontend b = VifFrontend.create(vifRegion, configB, backends[1].counters(), NoFrameOffload.INSTANCE);
            final WakeStages.Stamped hostSleep = new WakeStages.Stamped(poller, stages, WakeStages.HOST);
            final WakeStages.Stamped echoSleep = new WakeStages.Stamped(b, stages, WakeStages.ECHO);
            final AgentRunner host = new AgentRunner(mode.newIdleStrategy(hostSleep), errors, null,
                new WakeStages.FirstWork(poller, stages, WakeStages.FORWARDED));
            final AgentRunner echo = new AgentRunner(mode.newIdleStrategy(echoSleep), errors, null, new Echo(b, stages));
            AgentRunner.startOnThread(host);
            try
            {
                // a frontend is Connected before its backend connects: wait for both halves of both vifs, or the first
                // frame finds B's backend not connected and is dropped (one round trip lost at start). B is driven
                // from this thread until then and only then handed to its echo thread: a frontend has one driving
                // thread, and B's doWork on both (the echo thread started first) made the two threads connect it at
                // once, about one run in ten (ArrayIndexOutOfBoundsException in NetfrontTx.free, a stack trace)
                awaitConnected(a, backends[0]);
                awaitConnected(b, backends[1]);
                AgentRunner.startOnThread(echo);
                final Sender sender = new Sender(a, mode, stages);
                final AtomicLong samples = new AtomicLong();
                measure(context, "wake.relay.rtt", samples, histogram, stages::reset,
                    () -> hostSleep.asleep() && echoSleep.asleep(), sender::roundTrip);
                stages.report(context);
            }
            finally
            {
                echo.close(); // before the host: B's frontend must not outlive the host thread's service of its vif
                RunnerStop.close(host, poller::wake);
            }
        }
        reportErrors(context, "wake.relay.rtt", errors);
        return histogram;
    }

    private static Histogram futexRoundTrips(final ScenarioContext context) throws Exception
    {
        final Histogram histogram = new Histogram(TIMEOUT_NS, 3);
        final UnsafeBuffer ports = new UnsafeBuffer(ByteBuffer.allocateDirect(EventChannelDescriptor.lengthBytes(2)));
        final EventChannel pinger = new EventChannel(ports, 0, 1, IdleMode.SLEEP);
        final EventChannel ponger = new EventChannel(ports, 1, 0, IdleMode.SLEEP);
        final Thread thread = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                if (ponger.await(TIMEOUT_NS))
                {
                    ponger.notifyPeer();
                }
            }
        }, "futex-pong");
        thread.setDaemon(true);
        thread.start();
        try
        {
            measure(context, "baseline.futex.rtt", new AtomicLong(), histogram, null, null, () ->
            {
                final long start = System.nanoTime();
                pinger.notifyPeer();
                return pinger.await(TIMEOUT_NS) ? System.nanoTime() - start : -1;
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
    private static Histogram eventfdRoundTrips(final ScenarioContext context) throws Exception
    {
        final Histogram histogram = new Histogram(TIMEOUT_NS, 3);
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
                measure(context, "baseline.eventfd.rtt", new AtomicLong(), histogram, null, null, () ->
                {
                    final long start = System.nanoTime();
                    LinuxCalls.eventfdSignal(pongFd);
                    return LinuxCalls.epollWait(pingEpoll, pingEvents, 4, (int)(TIMEOUT_NS / 1_000_000)) > 0 ?
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

    private interface RoundTrip
    {
        /** @return ns, or -1 when no answer came within the timeout. */
        long once() throws Exception;
    }

    /**
     * @param beforeMeasured run once when the warm-up ends (null: nothing).
     * @param asleep         whether every thread the frame must wake is in its sleep (null: no such check); after the
     *                       gap the sender waits up to {@link #ASLEEP_WAIT_NS} more for it, and a frame sent while a
     *                       thread is still awake is counted ({@code .awake}).
     */
    private static void measure(
        final ScenarioContext context, final String what, final AtomicLong samples, final Histogram histogram,
        final Runnable beforeMeasured, final BooleanSupplier asleep, final RoundTrip roundTrip) throws Exception
    {
        long lost = 0;
        long awake = 0;
        long deferred = 0;
        final CpuSettle settle = new CpuSettle();
        // first the path's code, so the JIT compiles it before anything is measured: at one round trip per 2 ms the vif
        // path took 8-10 s to reach C2 and ran in profiled C1 code, with C2 compiling on the same 2 cores, through the
        // whole measurement (a figure of the JIT's warm-up, not of wake-ups)
        lost += hotWarmup(context, what, samples, asleep, roundTrip);
        for (final boolean warmup : new boolean[] {true, false})
        {
            if (!warmup && beforeMeasured != null)
            {
                beforeMeasured.run();
            }
            // the rest of the warm-up at the measured cadence: the threads settle into sleeping between frames
            final long end = System.nanoTime() + (warmup ? context.warmup().dividedBy(2) : context.duration()).toNanos();
            try (ProgressPrinter.Line ignored = context.progress(what + (warmup ? " (warm-up)" : ""), samples::get, 1,
                "round trips/s"))
            {
                while (System.nanoTime() - end < 0)
                {
                    // let every other thread finish its spin window and fall asleep
                    LockSupport.parkNanos(GAP_NS);
                    if (asleep != null && !awaitAsleep(asleep, ASLEEP_POLL_NS) && !warmup)
                    {
                        awake++;
                    }
                    // the threads the sender's timer woke with it (slack-coalesced timers) run first, not in the round trip
                    if (SETTLE && settle.settle() && !warmup)
                    {
                        deferred++;
                    }
                    final long ns = roundTrip.once();
                    samples.incrementAndGet();
                    if (ns < 0)
                    {
                        lost++;
                    }
                    else if (!warmup)
                    {
                        histogram.recordValue(Math.min(ns, TIMEOUT_NS));
                    }
                }
            }
        }
        if (lost > 0)
        {
            context.report(what + ".lost", lost, "round trips");
        }
        if (awake > 0)
        {
            context.report(what + ".awake", awake, "round trips");
        }
        if (deferred > 0)
        {
            context.report(what + ".deferred", deferred, "round trips");
        }
    }

    /**
     * Waits (in short parks) until {@code asleep} holds, at most {@link #ASLEEP_WAIT_NS}: on a loaded machine a thread
     * preempted in its spin window may not have reached its sleep 2 ms after the last frame.
     *
     * @return whether it holds.
     */
    private static boolean awaitAsleep(final BooleanSupplier asleep, final long pollNs)
    {
        final long deadline = System.nanoTime() + ASLEEP_WAIT_NS;
        while (!asleep.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            LockSupport.parkNanos(pollNs);
        }
        return true;
    }

    /**
     * Round trips as fast as the measured path allows for half the warm-up, and at least {@value #HOT_ROUND_TRIPS}
     * (enough calls of every method on the path for C2, which wants thousands of invocations) as long as the whole
     * warm-up (or 1 s) allows. With {@code asleep}, each frame goes as soon as the threads it must wake are asleep (a
     * short park between checks): the measured path itself, sleep and wake-up included, so C2 compiles it with the
     * branches it takes. Back to back, the host thread never slept: its sleep path (EventSelector.sleep and the idle
     * strategy's) was first compiled during the measurement, and the C2 AgentRunner.doWork hit an uncommon trap at the
     * first gapped round trips and ran in C1 code again while C2 recompiled it (-XX:+PrintCompilation).
     *
     * @return round trips that timed out.
     */
    private static long hotWarmup(
        final ScenarioContext context, final String what, final AtomicLong samples, final BooleanSupplier asleep,
        final RoundTrip roundTrip) throws Exception
    {
        long lost = 0;
        long count = 0;
        final long start = System.nanoTime();
        final long end = start + context.warmup().dividedBy(2).toNanos();
        final long limit = start + Math.max(context.warmup().toNanos(), HOT_LIMIT_NS);
        try (ProgressPrinter.Line ignored = context.progress(what + " (warm-up, " +
            (asleep == null ? "back to back)" : "each frame once the path sleeps)"), samples::get, 1, "round trips/s"))
        {
            while ((System.nanoTime() - end < 0 || count < HOT_ROUND_TRIPS) && System.nanoTime() - limit < 0)
            {
                if (asleep != null)
                {
                    awaitAsleep(asleep, HOT_ASLEEP_POLL_NS);
                }
                if (roundTrip.once() < 0)
                {
                    lost++;
                }
                count++;
                samples.incrementAndGet();
            }
        }
        return lost;
    }

    /** Guest A, on the harness thread: sends one frame, then idles on its own port until the echo is back. */
    private static final class Sender implements FrameHandler
    {
        private final VifFrontend frontend;
        private final IdleStrategy idle;
        private final WakeStages stages;
        private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME));
        private int received;

        Sender(final VifFrontend frontend, final IdleMode mode, final WakeStages stages)
        {
            this.frontend = frontend;
            this.stages = stages;
            this.idle = mode.newIdleStrategy(frontend);
            // to B's MAC from A's: the crossover does not look, but the frame is well formed
            final long to = VifConfig.of(2, 0).mac();
            final long from = VifConfig.of(1, 0).mac();
            for (int i = 0; i < 6; i++)
            {
                frame.putByte(i, (byte)(to >>> (40 - 8 * i)));
                frame.putByte(6 + i, (byte)(from >>> (40 - 8 * i)));
            }
            frame.putShort(12, (short)0x88B5, java.nio.ByteOrder.BIG_ENDIAN); // local experimental EtherType
        }

        long roundTrip()
        {
            // before the clock starts: bench bookkeeping, not part of a guest's send (cold after the gap, it cost 1-5 us)
            while (frontend.poll(this, 64) > 0)
            {
                // stale echoes of a timed-out round
            }
            received = 0;
            final long start = System.nanoTime();
            stages.begin(start);
            if (frontend.transmit(frame, 0, FRAME) != VifFrontend.OK)
            {
                stages.end(false);
                frontend.doWork();
                return -1;
            }
            frontend.flush();
            stages.stamp(WakeStages.KICK);
            idle.reset();
            while (received == 0)
            {
                if (System.nanoTime() - start > TIMEOUT_NS)
                {
                    stages.end(false);
                    return -1;
                }
                final int work = frontend.doWork() + frontend.poll(this, 64);
                if (received == 0)
                {
                    idle.idle(work);
                }
            }
            idle.reset();
            final long end = System.nanoTime();
            stages.end(true);
            return end - start;
        }

        @Override
        public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            received++;
        }
    }

    /**
     * Guest B: sends back every frame it receives. Takes B over once B is connected (a frontend has one driving thread
     * at a time: until then the harness thread drives B's negotiation).
     */
    private static final class Echo implements Agent, FrameHandler
    {
        private final VifFrontend frontend;
        private final WakeStages stages;

        Echo(final VifFrontend frontend, final WakeStages stages)
        {
            this.frontend = frontend;
            this.stages = stages;
        }

        @Override
        public void onStart()
        {
            if (!frontend.isConnected())
            {
                // started beside the thread still connecting B: both would drive B's negotiation at once
                throw new IllegalStateException("echo started before guest B connected: two threads would drive B");
            }
        }

        @Override
        public int doWork()
        {
            final int work = frontend.doWork() + frontend.poll(this, 64);
            frontend.flush();
            return work;
        }

        @Override
        public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            frontend.transmit(buffer, offset, length);
            stages.stamp(WakeStages.ECHOED);
        }

        @Override
        public String roleName()
        {
            return "wake-echo";
        }
    }
}

package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchOptions;
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
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.event.RunnerStop;
import io.pvnet.ring.region.Region;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

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
 * <li>{@code baseline.futex1.rtt.*}: the floor of {@code wake.rtt}, its one kernel wake-up and nothing else: the
 * sender wakes a thread asleep on an event channel and polls for its answer as the guest does
 * ({@link WakeBaselines#oneWakePath}); {@code wake.rtt.p50/.p99} are shown as ratios to it. The two are measured
 * interleaved, round trip by round trip, with both paths' threads alive ({@link WakeRoundTrips#measure}): this VM's
 * host swings between a fast and a slow mode within seconds, so a path and its floor measured one after the other
 * compared two modes.</li>
 * <li>{@code baseline.futex.rtt.*}: two threads waking each other through event channels in {@code sleep} mode,
 * nothing else (the floor of two kernel wake-ups; interleaved with {@code wake.relay.rtt}, which is shown as a ratio to
 * it); {@code baseline.eventfd.rtt.*}: the same with eventfds and epoll,
 * the kick path of guests in their own memory.</li>
 * </ul>
 * Where a round trip's time goes, from the sender's clock start ({@link WakeStages}; each over the round trips in which
 * that thread was asleep; a clock read per stage on each thread): {@code wake.kick.p50} until the guest's send and
 * flush return (its kick, the host's {@code FUTEX_WAKE} included, and usually the host's first run: the guest yields
 * after a kick that woke the host, {@code EventChannel.YIELD_AFTER_WAKE}), {@code wake.host.p50} until the host thread returns
 * from its sleep, {@code wake.answered.p50} until it ends its first duty cycle with work (the answer pushed; the rest
 * of the round trip is the polling guest seeing it). The relay's: {@code wake.relay.kick}, {@code wake.relay.host},
 * {@code wake.relay.forwarded} (the duty cycle that handed the frame to B and woke B done), {@code wake.relay.echo}
 * (B back from its sleep), {@code wake.relay.echoed} (B has written the echo); the rest is B -> host -> A, hand-overs
 * to threads still polling.
 * <p>
 * Both sides asleep: after the 2 ms gap the sender also waits (up to 20 ms, in 100 µs parks) until every thread the
 * frame must wake is in its sleep (interleaved, the other path's threads too); a frame sent while one is still awake
 * (preempted in its spin window on a loaded machine) is counted as {@code .awake}. The sender itself (the guest) was
 * parked through the gap; its clock starts after the stale-answer check, as it sends. Before that it lets the threads
 * its gap timer woke with it run first ({@link CpuSettle}: slack-coalesced timers of unrelated threads on the same
 * vCPU, which the host thread, woken onto that vCPU, would otherwise queue behind); a round trip that waited for one
 * counts as {@code .deferred}. Agent errors are one line on stderr each and a {@code .errors} figure.
 * <p>
 * Warm-up: first the measured path as fast as it allows (half the warm-up, at least 20,000 round trips within the whole
 * warm-up): each frame as soon as the threads it must wake are asleep, so that the JIT compiles the path, its sleep and
 * wake-up branches included, before it is measured; then round trips at the measured cadence. At one round trip per
 * 2 ms the vif path's methods reached C2 only 8-10 s after start; after a back-to-back warm-up (the host thread never
 * slept) the sleep path was first compiled during the measurement and the host's C2 {@code AgentRunner.doWork}
 * deoptimised at the first gapped round trips (an uncommon trap, -XX:+PrintCompilation); none in the measured window
 * since. * <p>
 * This class sets up the two vif paths and their guests; {@link WakeRoundTrips} times any path's round trips (gap,
 * asleep check, settle, warm-ups), {@link WakeBaselines} runs the one-wake, futex and eventfd floors.
 */
public final class WakeScenario implements Scenario
{
    private static final long TIMEOUT_NS = WakeRoundTrips.TIMEOUT_NS;
    private static final int FRAME = 64;

    @Override
    public String name()
    {
        return "wake";
    }

    @Override
    public String description()
    {
        return "round trip of one frame guest -> backend -> guest with every thread asleep (us); its one-wake floor, futex ping-pong baselines";
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

    /**
     * As {@link #run} measures: {@code wake.rtt} with its floor and the relay with its floor, two paths interleaved
     * each, with asleep checks; then the eventfd baseline alone, without. Each path has a fast warm-up, half the
     * warm-up at the measured cadence and the duration ({@link WakeRoundTrips#estimatedSeconds}): 5 paths for 3
     * figures.
     */
    @Override
    public double estimatedSeconds(final BenchOptions options, final double durationSeconds, final double warmupSeconds)
    {
        return 2 * WakeRoundTrips.estimatedSeconds(2, true, durationSeconds, warmupSeconds) +
            WakeRoundTrips.estimatedSeconds(1, false, durationSeconds, warmupSeconds);
    }

    @Override
    public void run(final ScenarioContext context) throws Exception
    {
        final IdleMode mode = context.options().idle(IdleMode.ADAPTIVE);
        context.baseline("baseline");
        final Histogram rtt = new Histogram(TIMEOUT_NS, 3);
        final Histogram floor = new Histogram(TIMEOUT_NS, 3);
        // interleaved, round trip by round trip: the host's fast and slow modes last seconds, so a path and its floor
        // measured one after the other compared two modes
        reflectPath(context, mode, rtt, wake ->
            WakeBaselines.oneWakePath(context, mode, floor, oneWake -> WakeRoundTrips.measure(context, wake, oneWake)));
        report(context, "wake.rtt", rtt);
        report(context, "baseline.futex1.rtt", floor);
        // the relay and its floor interleaved too (its ratio to the floor is shown)
        final Histogram relay = new Histogram(TIMEOUT_NS, 3);
        final Histogram futex = new Histogram(TIMEOUT_NS, 3);
        relayPath(context, mode, relay, relayed ->
            WakeBaselines.futexPath(context, futex, pingPong -> WakeRoundTrips.measure(context, relayed, pingPong)));
        report(context, "wake.relay.rtt", relay);
        report(context, "baseline.futex.rtt", futex);
        report(context, "baseline.eventfd.rtt", WakeBaselines.eventfdRoundTrips(context));
        context.compare("wake.rtt.p50", "baseline.futex1.rtt.p50");
        context.compare("wake.rtt.p99", "baseline.futex1.rtt.p99");
        context.compare("wake.relay.rtt.p50", "baseline.futex.rtt.p50");
    }

    private static void report(final ScenarioContext context, final String name, final Histogram histogram)
    {
        context.report(name + ".p50", histogram.getValueAtPercentile(50) / 1000.0, "us");
        context.report(name + ".p99", histogram.getValueAtPercentile(99) / 1000.0, "us");
    }

    /**
     * One vif whose backend sends every frame back to its own guest: guest -> backend -> guest. Sets it up, hands its
     * path to {@code whileAlive} (which measures it), then reports its stages and errors and takes it down.
     */
    private static void reflectPath(
        final ScenarioContext context, final IdleMode mode, final Histogram histogram,
        final WakeRoundTrips.WhileAlive whileAlive) throws Exception
    {
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
                whileAlive.measure(new WakeRoundTrips.Path("wake.rtt", histogram, stages::reset, hostSleep::asleep,
                    sender::roundTrip));
                stages.report(context);
            }
            finally
            {
                RunnerStop.close(host, poller::wake);
            }
        }
        reportErrors(context, "wake.rtt", errors);
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

    /**
     * Two vifs on a crossover: guest A -> backend -> guest B, echoed back to A. Sets them up, hands the path to
     * {@code whileAlive} (which measures it), then reports its stages and errors and takes it down.
     */
    private static void relayPath(
        final ScenarioContext context, final IdleMode mode, final Histogram histogram,
        final WakeRoundTrips.WhileAlive whileAlive) throws Exception
    {
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
                whileAlive.measure(new WakeRoundTrips.Path("wake.relay.rtt", histogram, stages::reset,
                    () -> hostSleep.asleep() && echoSleep.asleep(), sender::roundTrip));
                stages.report(context);
            }
            finally
            {
                echo.close(); // before the host: B's frontend must not outlive the host thread's service of its vif
                RunnerStop.close(host, poller::wake);
            }
        }
        reportErrors(context, "wake.relay.rtt", errors);
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

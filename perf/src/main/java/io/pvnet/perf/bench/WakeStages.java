package io.pvnet.perf.bench;

import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.ring.event.WaitPoint;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.Agent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where the time of a {@code wake.relay} round trip goes ({@link WakeScenario}): stage stamps of the round trip in flight.
 * A opens it ({@link #begin}), the host and B stamp the first time they
 * reach a stage after that, A closes it ({@link #end}) and records each stamped stage. Written by the three
 * threads (each its own field), read by A once its echo is back.
 */
final class WakeStages
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    static final int HOST = 0;
    static final int FORWARDED = 1;
    static final int ECHO = 2;
    static final int ECHOED = 3;
    private static final String[] NAMES = {"wake.relay.host", "wake.relay.forwarded", "wake.relay.echo", "wake.relay.echoed"};

    private volatile long startNs;
    private final AtomicLongArray stampNs = new AtomicLongArray(NAMES.length);
    private final Histogram[] histograms = new Histogram[NAMES.length];

    WakeStages()
    {
        for (int i = 0; i < NAMES.length; i++)
        {
            histograms[i] = new Histogram(TIMEOUT_NS, 3);
        }
    }

    /** A, before sending. */
    void begin(final long nowNs)
    {
        for (int i = 0; i < NAMES.length; i++)
        {
            stampNs.setRelease(i, 0);
        }
        startNs = nowNs;
    }

    /** The host or B: the first time in this round trip it reaches {@code stage}. */
    void stamp(final int stage)
    {
        if (startNs != 0 && stampNs.getAcquire(stage) == 0)
        {
            stampNs.compareAndSet(stage, 0, System.nanoTime());
        }
    }

    /** A, when the echo is back ({@code answered}) or the round trip timed out. */
    void end(final boolean answered)
    {
        final long start = startNs;
        startNs = 0;
        for (int i = 0; answered && i < NAMES.length; i++)
        {
            final long ns = stampNs.getAcquire(i) - start;
            if (ns > 0 && ns < TIMEOUT_NS)
            {
                histograms[i].recordValue(ns);
            }
        }
    }

    /** At the end of the warm-up: only measured round trips count. */
    void reset()
    {
        for (final Histogram histogram : histograms)
        {
            histogram.reset();
        }
    }

    /** Reports each stage's p50 (us) over the round trips that stamped it; none in modes that never sleep. */
    void report(final ScenarioContext context)
    {
        for (int i = 0; i < NAMES.length; i++)
        {
            if (histograms[i].getTotalCount() > 0)
            {
                context.report(NAMES[i] + ".p50", histograms[i].getValueAtPercentile(50) / 1000.0, "us");
            }
        }
    }

    /** A thread's wait point that stamps {@code stage} when a sleep returns (the thread is awake and running). */
    static final class Stamped implements WaitPoint
    {
        private final WaitPoint waitPoint;
        private final WakeStages stages;
        private final int stage;

        Stamped(final WaitPoint waitPoint, final WakeStages stages, final int stage)
        {
            this.waitPoint = waitPoint;
            this.stages = stages;
            this.stage = stage;
        }

        @Override
        public void prepareToSleep()
        {
            waitPoint.prepareToSleep();
        }

        @Override
        public void cancelSleep()
        {
            waitPoint.cancelSleep();
        }

        @Override
        public void sleep(final long timeoutNs)
        {
            waitPoint.sleep(timeoutNs);
            stages.stamp(stage);
        }
    }

    /** The host thread's agent, stamping the end of its first duty cycle with work (A's frame forwarded to B). */
    static final class Forwarding implements Agent
    {
        private final Agent agent;
        private final WakeStages stages;

        Forwarding(final Agent agent, final WakeStages stages)
        {
            this.agent = agent;
            this.stages = stages;
        }

        @Override
        public void onStart()
        {
            agent.onStart();
        }

        @Override
        public int doWork() throws Exception
        {
            final int work = agent.doWork();
            if (work > 0)
            {
                stages.stamp(FORWARDED);
            }
            return work;
        }

        @Override
        public void onClose()
        {
            agent.onClose();
        }

        @Override
        public String roleName()
        {
            return agent.roleName();
        }
    }
}

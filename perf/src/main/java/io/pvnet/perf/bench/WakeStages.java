package io.pvnet.perf.bench;

import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.ring.event.ForwardingWaitPoint;
import io.pvnet.ring.event.WaitPoint;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.Agent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where the time of a {@code wake} round trip goes ({@link WakeScenario}): stage stamps of the round trip in flight.
 * The sender opens it ({@link #begin}), each thread stamps the first time it reaches a stage after that, the sender
 * closes it ({@link #end}) and records each stamped stage. Written by the threads of the path (each its own stage),
 * read by the sender once its answer is back.
 */
final class WakeStages
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    /**
     * {@code wake.rtt}'s stages: the guest's kick issued (its send and flush returned, the wake-up syscall and the
     * yield after it included),
     * the host thread back from its sleep, the host's first duty cycle with work done (the answer pushed).
     */
    static final String[] REFLECT = {"wake.kick", "wake.host", "wake.answered"};
    /** {@code baseline.futex1.rtt}'s stages: the sender's kick returned, the woken thread back from its sleep. */
    static final String[] FLOOR = {"baseline.futex1.kick", "baseline.futex1.woken"};
    /** {@code wake.relay.rtt}'s stages: the same first two, then the host's forwarding cycle and B's. */
    static final String[] RELAY =
        {"wake.relay.kick", "wake.relay.host", "wake.relay.forwarded", "wake.relay.echo", "wake.relay.echoed"};
    /** Both paths: the sender's kick issued. */
    static final int KICK = 0;
    /** Both paths: the host thread back from its sleep. */
    static final int HOST = 1;
    static final int ANSWERED = 2;
    static final int FORWARDED = 2;
    static final int ECHO = 3;
    static final int ECHOED = 4;

    private final String[] names;
    private volatile long startNs;
    private final AtomicLongArray stampNs;
    private final Histogram[] histograms;
    /** The slowest round trips by stage ({@code -Dpvnet.bench.wake.tail}), or null. */
    private final WakeTail tail;
    private final long[] tailStamps;

    /**
     * @param names the figure of each stage, in the order the round trip reaches them ({@link #REFLECT}, {@link #RELAY}).
     */
    WakeStages(final String[] names)
    {
        this.names = names;
        this.stampNs = new AtomicLongArray(names.length);
        this.histograms = new Histogram[names.length];
        for (int i = 0; i < names.length; i++)
        {
            histograms[i] = new Histogram(TIMEOUT_NS, 3);
        }
        this.tail = WakeTail.ifEnabled(names);
        this.tailStamps = new long[names.length];
    }

    /** A, before sending. */
    void begin(final long nowNs)
    {
        for (int i = 0; i < names.length; i++)
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
        final long endNs = tail != null ? System.nanoTime() : 0;
        for (int i = 0; answered && i < names.length; i++)
        {
            final long ns = stampNs.getAcquire(i) - start;
            if (ns > 0 && ns < TIMEOUT_NS)
            {
                histograms[i].recordValue(ns);
            }
            tailStamps[i] = ns > 0 && ns < TIMEOUT_NS ? ns : 0;
        }
        if (tail != null && answered)
        {
            tail.record(endNs - start, tailStamps);
        }
    }

    /** At the end of the warm-up: only measured round trips count. */
    void reset()
    {
        for (final Histogram histogram : histograms)
        {
            histogram.reset();
        }
        if (tail != null)
        {
            tail.reset();
        }
    }

    /** Reports each stage's p50 (us) over the round trips that stamped it; none in modes that never sleep. */
    void report(final ScenarioContext context)
    {
        if (tail != null)
        {
            tail.print(System.err, names[0].substring(0, names[0].lastIndexOf('.')) + ".rtt", WakeTail.PERCENT);
        }
        for (int i = 0; i < names.length; i++)
        {
            if (histograms[i].getTotalCount() > 0)
            {
                context.report(names[i] + ".p50", histograms[i].getValueAtPercentile(50) / 1000.0, "us");
            }
        }
    }

    /**
     * A thread's wait point that stamps {@code stage} when a sleep returns (the thread is awake and running), and tells
     * the sender whether the thread is in its sleep ({@link #asleep()}) before a frame goes.
     */
    static final class Stamped extends ForwardingWaitPoint
    {
        private final WakeStages stages;
        private final int stage;
        private volatile boolean asleep;

        Stamped(final WaitPoint waitPoint, final WakeStages stages, final int stage)
        {
            super(waitPoint);
            this.stages = stages;
            this.stage = stage;
        }

        @Override
        public void sleep(final long timeoutNs)
        {
            asleep = true;
            waitPoint.sleep(timeoutNs);
            asleep = false;
            stages.stamp(stage);
        }

        /** {@return whether the thread is in its sleep (any thread; a sleep cut short by due work counts a moment)} */
        boolean asleep()
        {
            return asleep;
        }
    }

    /**
     * The host thread's agent, stamping {@code stage} at the end of its first duty cycle with work (the frame handed
     * back to the guest, or forwarded to B and B woken).
     */
    static final class FirstWork implements Agent
    {
        private final Agent agent;
        private final WakeStages stages;
        private final int stage;

        FirstWork(final Agent agent, final WakeStages stages, final int stage)
        {
            this.agent = agent;
            this.stages = stages;
            this.stage = stage;
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
                stages.stamp(stage);
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

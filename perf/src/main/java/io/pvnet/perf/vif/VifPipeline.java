package io.pvnet.perf.vif;

import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.port.vif.VifPort;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.ring.region.Region;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.AgentRunner;
import io.pvnet.engine.VifPoller;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.event.IdleMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.Supplier;

/**
 * The {@code vif} benchmark's data path: netfront A transmits, xnb A copies the frame out of A's grants, a crossover
 * offers it to xnb B, which copies it into netfront B's posted buffers, and netfront B receives it. One thread runs
 * both guests ({@link VifGuests}: transmit on A, receive on B), one runs both backends (the host side).
 */
public final class VifPipeline implements AutoCloseable
{
    /**
     * Spin, then yield, then park briefly: on an oversubscribed machine a thread that only spins holds the core the
     * other side needs.
     */
    public static final Supplier<IdleStrategy> DEFAULT_IDLE = () -> new BackoffIdleStrategy(100, 10, 1_000, 100_000);

    private final Region region;
    private final VifRegion vifRegion;
    private final Supplier<IdleStrategy> idle;
    private final IdleMode idleMode;
    private final VifFrontend receiver;
    private final VifPoller poller;
    private final VifBackend[] backends = new VifBackend[2];
    private final VifGuests guests;
    private final AgentRunner hostRunner;
    private final CompositeAgent hostAgent;
    private Bridge bridge;
    private final IdleStrategy hostIdle;
    /** The guest thread's idle strategy, once its loop runs. */
    private volatile IdleStrategy guestIdle;
    private final Thread guestThread;
    private volatile boolean running = true;
    private Thread sharedThread;
    private volatile boolean resetRequested;
    private volatile boolean resetDone;

    /**
     * @param frameLength bytes per frame.
     * @param frameFlags  {@code FrameFlags} of each frame.
     * @param gsoSize     MSS for TSO frames, else 0.
     * @param offloads    makes one offload step per thread.
     */
    public VifPipeline(final int frameLength, final int frameFlags, final int gsoSize, final int gsoType,
        final Supplier<FrameOffload> offloads, final VifConfig receiverConfig)
    {
        this(Region.createAnonymous(VifRegion.regionBytes(2)), frameLength, frameFlags, gsoSize, gsoType, offloads,
            receiverConfig);
    }

    /** As the other constructor, in {@code region} (owned by the pipeline from now on). */
    public VifPipeline(final Region region, final int frameLength, final int frameFlags, final int gsoSize,
        final int gsoType, final Supplier<FrameOffload> offloads, final VifConfig receiverConfig)
    {
        this(region, frameLength, frameFlags, gsoSize, gsoType, offloads, receiverConfig, 32, DEFAULT_IDLE);
    }

    /**
     * As the other constructors, with the guest's burst (frames per push) and how both threads idle.
     *
     * @param idle makes each thread's idle strategy.
     */
    public VifPipeline(final Region region, final int frameLength, final int frameFlags, final int gsoSize,
        final int gsoType, final Supplier<FrameOffload> offloads, final VifConfig receiverConfig, final int burst,
        final Supplier<IdleStrategy> idle)
    {
        this(region, frameLength, frameFlags, gsoSize, gsoType, offloads, receiverConfig, burst, idle, 0);
    }

    /**
     * As the other constructors; with {@code bridgeVifs >= 2} the two vifs are joined by a learning {@link Bridge}
     * (through {@link VifPort}s) instead of the crossover, with {@code bridgeVifs - 2} more vifs attached to it that
     * carry no traffic. The bridge runs on the host thread with the backends. The region must hold that many vifs.
     */
    public VifPipeline(final Region region, final int frameLength, final int frameFlags, final int gsoSize,
        final int gsoType, final Supplier<FrameOffload> offloads, final VifConfig receiverConfig, final int burst,
        final Supplier<IdleStrategy> idle, final int bridgeVifs)
    {
        this(region, frameLength, frameFlags, gsoSize, gsoType, offloads, receiverConfig, burst, idle, bridgeVifs, null);
    }

    /**
     * As the other constructors; with an {@code idleMode} that sleeps ({@code sleep}, {@code adaptive}) the host thread
     * sleeps on the vif poller's selector and the guest thread on the receiving vif's event port, else both idle with
     * {@code idle}. The backends always run under one {@link VifPoller}, so idle vifs cost nothing per round.
     */
    public VifPipeline(final Region region, final int frameLength, final int frameFlags, final int gsoSize,
        final int gsoType, final Supplier<FrameOffload> offloads, final VifConfig receiverConfig, final int burst,
        final Supplier<IdleStrategy> idle, final int bridgeVifs, final IdleMode idleMode)
    {
        this(region, frameLength, frameFlags, gsoSize, gsoType, offloads, receiverConfig, burst, idle, bridgeVifs,
            idleMode, 1);
    }

    /**
     * As the other constructors, with {@code queues} queues on both vifs (the region must hold them,
     * {@code VifRegion.regionBytes(vifs, queues)}); the sender then spreads its frames over 64 TCP flows so that its
     * flow hash uses every queue. The backends still run on the one host thread, their queues one after another.
     */
    public VifPipeline(final Region region, final int frameLength, final int frameFlags, final int gsoSize,
        final int gsoType, final Supplier<FrameOffload> offloads, final VifConfig givenReceiverConfig, final int burst,
        final Supplier<IdleStrategy> idle, final int bridgeVifs, final IdleMode idleMode, final int queues)
    {
        this(region, frameLength, frameFlags, gsoSize, gsoType, offloads, givenReceiverConfig, burst, idle, bridgeVifs,
            idleMode, queues, null);
    }

    /**
     * As the other constructors, with the counters in {@code counters} ({@code VifRegion.countersBytes(vifs, queues)}
     * bytes, e.g. a memfd only this process writes, for {@code stat} over a control socket) instead of a section of
     * the region; null: in the region.
     */
    public VifPipeline(final Region region, final int frameLength, final int frameFlags, final int gsoSize,
        final int gsoType, final Supplier<FrameOffload> offloads, final VifConfig givenReceiverConfig, final int burst,
        final Supplier<IdleStrategy> idle, final int bridgeVifs, final IdleMode idleMode, final int queues,
        final org.agrona.concurrent.AtomicBuffer counters)
    {
        final VifConfig receiverConfig = givenReceiverConfig.withQueues(queues);
        this.idle = idle;
        this.idleMode = idleMode;
        this.region = region;
        final VifRegion vifRegion = counters == null ? VifRegion.create(region, Math.max(2, bridgeVifs)) :
            VifRegion.create(region, Math.max(2, bridgeVifs), 1, counters);
        this.vifRegion = vifRegion;
        final VifPoller poller = new VifPoller(VifSections.createSelector(region, Math.max(2, bridgeVifs)),
            vifRegion.store());
        final VifConfig senderConfig = senderConfig(frameLength).withQueues(queues);
        // one offload instance per thread: the host thread's backends share one, the guest thread's frontends another
        final FrameOffload hostOffload = offloads.get();
        final FrameOffload guestOffload = offloads.get();
        final java.util.List<org.agrona.concurrent.Agent> hostAgents = new java.util.ArrayList<>();
        if (bridgeVifs >= 2)
        {
            // the bridge runs after the poller on the host thread: its ageing clock is the poller's round time
            bridge = new Bridge(new BridgeConfig(Math.max(64, bridgeVifs), 65536, BridgeConfig.DEFAULT_AGING_NS,
                poller.roundClock(), new ChecksumFrameOffload()));
            final VifConfig[] configs = new VifConfig[bridgeVifs];
            configs[0] = senderConfig;
            configs[1] = receiverConfig;
            for (int i = 2; i < bridgeVifs; i++)
            {
                configs[i] = VifConfig.of(i + 1, 0);
            }
            for (int i = 0; i < bridgeVifs; i++)
            {
                final VifPort port = new VifPort("vif" + configs[i].domid());
                final int index = bridge.attach(port, PortVlan.access(1));
                port.backend(VifBackend.create(vifRegion, configs[i], bridge.ingress(index), hostOffload));
                if (i < 2)
                {
                    backends[i] = port.backend();
                }
                poller.add(port.backend());
            }
            // the receiving guest never transmits, so the bridge cannot learn it from traffic: a static entry, as
            // an operator adds for a silent host (the sender's address is learned, refreshed by every frame)
            bridge.macTable().learn(1, receiverConfig.mac(), 1, System.nanoTime() / 1_000_000L);
            hostAgents.add(bridge);
        }
        else
        {
            final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
            backends[0] = cable.plug(0, VifBackend.create(vifRegion, senderConfig, cable.ingress(0), hostOffload));
            backends[1] = cable.plug(1, VifBackend.create(vifRegion, receiverConfig, cable.ingress(1), hostOffload));
            poller.add(backends[0]);
            poller.add(backends[1]);
        }
        final VifFrontend sender = VifFrontend.create(vifRegion, senderConfig, backends[0].counters(), guestOffload);
        final VifFrontend receiver = VifFrontend.create(vifRegion,
            receiverConfig.withPaddedRings(receiverConfig.paddedRings() || PADDED), backends[1].counters(), guestOffload);
        guests = new VifGuests(sender, receiver, frameLength, frameFlags, gsoSize, gsoType, burst);
        this.receiver = receiver;
        this.poller = poller;
        hostAgents.add(0, poller);
        for (int i = 0; i < 100 && !connected(); i++)
        {
            guests.idle();
            backends[0].doWork();
            backends[1].doWork();
        }
        if (!connected())
        {
            throw new IllegalStateException("vifs did not connect: sender=" + sender.state() + " receiver=" + receiver.state());
        }
        hostAgent = new CompositeAgent(hostAgents);
        hostIdle = sleeps() ? idleMode.newIdleStrategy(poller) : idle.get();
        hostRunner = new AgentRunner(hostIdle, Throwable::printStackTrace, null, hostAgent);
        guestThread = new Thread(this::guestLoop, "vif-guest");
        guestThread.setDaemon(true);
    }

    /** @return the sending guest's config for frames of {@code frameLength} bytes (MTU large enough). */
    static VifConfig senderConfig(final int frameLength)
    {
        return VifConfig.of(1, 0).withMtu(Math.max(1500, Math.min(65535, frameLength))).withPaddedRings(PADDED);
    }

    /** {@code -Dpvnet.vif.padded=true}: both guests ask for padded rings (beyond Xen). */
    static final boolean PADDED = Boolean.getBoolean("pvnet.vif.padded");

    private boolean connected()
    {
        return guests.connected() && backends[0].isConnected() && backends[1].isConnected();
    }

    /** Starts the host and guest threads. */
    public void start()
    {
        AgentRunner.startOnThread(hostRunner);
        guestThread.start();
    }

    private boolean sleeps()
    {
        return idleMode != null && idleMode.sleeps();
    }

    /**
     * {@return the host thread's idle strategy (for diagnosis: a {@code WaitPointIdleStrategy} counts its yields,
     * announced sleeps and sleeps)}
     */
    public IdleStrategy hostIdleStrategy()
    {
        return hostIdle;
    }

    /** {@return the guest thread's idle strategy once the thread runs, else null (for diagnosis)} */
    public IdleStrategy guestIdleStrategy()
    {
        return guestIdle;
    }

    /** {@return the guests' side, for stepping it on the calling thread instead of {@link #start()} (diagnosis)} */
    VifGuests guests()
    {
        return guests;
    }

    /**
     * {@return the host thread's agents (the vif poller, then the bridge), for stepping them on the calling thread
     * instead of {@link #start()} (diagnosis: {@link HostCrossingCost})}
     */
    org.agrona.concurrent.Agent hostAgent()
    {
        return hostAgent;
    }

    /** @return the host thread's poller (for its counts). */
    public VifPoller poller()
    {
        return poller;
    }

    private void guestLoop()
    {
        loop(false);
    }

    /** The loop of the guest thread, or with {@code shared} of the one thread that runs every agent. */
    private void loop(final boolean shared)
    {
        final IdleStrategy idleStrategy = sleeps() && !shared ? idleMode.newIdleStrategy(receiver) : idle.get();
        guestIdle = idleStrategy;
        while (running)
        {
            if (resetRequested)
            {
                guests.resetLatency();
                resetRequested = false;
                resetDone = true;
            }
            idleStrategy.idle(shared ? stepShared() : guests.step());
        }
    }

    /**
     * Runs guests and backends on the calling thread for {@code durationNs} (threading mode "shared"), for diagnosis.
     *
     * @return frames received.
     */
    public long runShared(final long durationNs)
    {
        final long end = System.nanoTime() + durationNs;
        while (System.nanoTime() - end < 0)
        {
            stepShared();
        }
        return guests.received();
    }

    /** One round of every agent on the calling thread (threading mode "shared"). @return work done. */
    public int stepShared()
    {
        try
        {
            return guests.step() + hostAgent.doWork();
        }
        catch (final Exception ex)
        {
            // the backends and the bridge throw no checked exception; CompositeAgent declares one
            throw new IllegalStateException(ex);
        }
    }

    /** Starts one thread that runs guests and backends together (threading mode "shared") instead of {@link #start()}. */
    public void startShared()
    {
        final Thread shared = new Thread(() -> loop(true), "vif-shared");
        shared.setDaemon(true);
        sharedThread = shared;
        shared.start();
    }

    /** Diagnosis: {@code java -cp pvnet.jar io.pvnet.perf.vif.VifPipeline [frameLength] [seconds]}. */
    public static void main(final String[] args)
    {
        final int length = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        final long seconds = args.length > 1 ? Long.parseLong(args[1]) : 3;
        for (int round = 0; round < 3; round++)
        {
            try (VifPipeline pipeline = new VifPipeline(length, 0, 0, 0,
                io.pvnet.engine.offload.ChecksumFrameOffload::new, VifConfig.of(2, 0)))
            {
                final long frames = pipeline.runShared(seconds * 1_000_000_000L);
                System.out.printf("shared thread, %d B: %.3f Mpps, drops=%d%n", length, frames / (seconds * 1e6),
                    pipeline.drops());
            }
        }
    }

    /** Asks the guest thread to clear the latency histogram and waits until it did. */
    public void resetLatency() throws InterruptedException
    {
        resetDone = false;
        resetRequested = true;
        while (!resetDone)
        {
            Thread.sleep(1);
        }
    }

    /** @return frames received so far (any thread). */
    public long received()
    {
        return guests.received();
    }

    /** @return bytes received so far (any thread). */
    public long receivedBytes()
    {
        return guests.receivedBytes();
    }

    /** Stops both threads; after this the histogram and counters are stable. */
    public void stop() throws InterruptedException
    {
        running = false;
        if (sharedThread != null)
        {
            sharedThread.join(5000);
            io.pvnet.ring.event.RunnerStop.close(hostRunner, poller::wake); // the host thread may sleep on the poller
            return;
        }
        guestThread.join(5000);
        io.pvnet.ring.event.RunnerStop.close(hostRunner, poller::wake);
    }

    /** @return the one-way latency histogram (read after {@link #stop()}). */
    public Histogram latency()
    {
        return guests.latency();
    }

    /** @return the pipeline's store and counters. */
    public VifRegion vifRegion()
    {
        return vifRegion;
    }

    /** @return the counters of the backend of vif {@code index} (0: vif1.0, the sender's; 1: vif2.0), any thread. */
    public io.pvnet.engine.vif.VifCounters counters(final int index)
    {
        return backends[index].counters();
    }

    /** @return drops counted by either backend. */
    public long drops()
    {
        return backends[0].counters().totalDrops() + backends[1].counters().totalDrops();
    }

    @Override
    public void close()
    {
        region.close();
    }
}

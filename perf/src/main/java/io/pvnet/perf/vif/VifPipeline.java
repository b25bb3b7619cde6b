package io.pvnet.perf.vif;

import io.pvnet.engine.Crossover;
import io.pvnet.engine.FrameHandler;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.ring.region.Region;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code vif} benchmark's data path: netfront A transmits, xnb A copies the frame out of A's grants, a crossover
 * offers it to xnb B, which copies it into netfront B's posted buffers, and netfront B receives it. One thread runs
 * both guests (the "guest side": transmit on A, receive on B), one runs both backends (the "host side").
 * <p>
 * Each frame carries its send time ({@link System#nanoTime()}) at byte 14; the guest thread records the one-way
 * latency into an HdrHistogram when it receives the frame (one clock, one thread).
 */
public final class VifPipeline implements AutoCloseable
{
    private static final int TIMESTAMP_OFFSET = 14;
    private static final int BURST = 32;

    private final Region region;
    private final VifBackend[] backends = new VifBackend[2];
    private final VifFrontend sender;
    private final VifFrontend receiver;
    private final AgentRunner hostRunner;
    private final Thread guestThread;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong receivedBytes = new AtomicLong();
    private final Histogram latency = new Histogram(60_000_000_000L, 3);
    private final UnsafeBuffer frame;
    private final int frameLength;
    private final int frameFlags;
    private final int gsoSize;
    private final int gsoType;
    private volatile boolean running = true;
    private volatile boolean resetRequested;
    private volatile boolean resetDone;

    /**
     * @param frameLength bytes per frame.
     * @param frameFlags  {@code FrameFlags} of each frame.
     * @param gsoSize     MSS for TSO frames, else 0.
     */
    public VifPipeline(final int frameLength, final int frameFlags, final int gsoSize, final int gsoType,
        final FrameOffload offload, final VifConfig receiverConfig)
    {
        this(Region.createAnonymous(VifRegion.regionBytes(2)), frameLength, frameFlags, gsoSize, gsoType, offload,
            receiverConfig);
    }

    /** As the other constructor, in {@code region} (owned by the pipeline from now on). */
    public VifPipeline(final Region region, final int frameLength, final int frameFlags, final int gsoSize,
        final int gsoType, final FrameOffload offload, final VifConfig receiverConfig)
    {
        this.frameLength = frameLength;
        this.frameFlags = frameFlags;
        this.gsoSize = gsoSize;
        this.gsoType = gsoType;
        this.region = region;
        final VifRegion vifRegion = VifRegion.create(region);
        final VifConfig senderConfig = VifConfig.of(1, 0).withMtu(Math.max(1500, Math.min(65535, frameLength)));
        backends[0] = VifBackend.create(vifRegion, senderConfig, Crossover.sinkTo(backends, 1), offload);
        backends[1] = VifBackend.create(vifRegion, receiverConfig, Crossover.sinkTo(backends, 0), offload);
        sender = VifFrontend.create(vifRegion, senderConfig, backends[0].counters(), offload);
        receiver = VifFrontend.create(vifRegion, receiverConfig, backends[1].counters(), offload);
        for (int i = 0; i < 100 && !connected(); i++)
        {
            sender.doWork();
            receiver.doWork();
            backends[0].doWork();
            backends[1].doWork();
        }
        if (!connected())
        {
            throw new IllegalStateException("vifs did not connect: sender=" + sender.state() + " receiver=" + receiver.state());
        }
        frame = new UnsafeBuffer(ByteBuffer.allocateDirect(frameLength));
        for (int i = 0; i < frameLength; i++)
        {
            frame.putByte(i, (byte)i);
        }
        frame.putShort(12, (short)0x0008); // ethertype 0x0800 as on the wire
        hostRunner = new AgentRunner(new BusySpinIdleStrategy(), Throwable::printStackTrace, null,
            new CompositeAgent(backends[0], backends[1]));
        guestThread = new Thread(this::guestLoop, "vif-guest");
        guestThread.setDaemon(true);
    }

    private boolean connected()
    {
        return sender.isConnected() && receiver.isConnected() && backends[0].isConnected() && backends[1].isConnected();
    }

    /** Starts the host and guest threads. */
    public void start()
    {
        AgentRunner.startOnThread(hostRunner);
        guestThread.start();
    }

    private void guestLoop()
    {
        final Receiver handler = new Receiver();
        final UnsafeBuffer frame = this.frame;
        while (running)
        {
            if (resetRequested)
            {
                latency.reset();
                resetRequested = false;
                resetDone = true;
            }
            for (int i = 0; i < BURST; i++)
            {
                frame.putLong(TIMESTAMP_OFFSET, System.nanoTime());
                if (sender.transmit(frame, 0, frameLength, frameFlags, gsoSize, gsoType) != VifFrontend.OK)
                {
                    break;
                }
            }
            sender.flush();
            sender.doWork();
            receiver.doWork();
            final int frames = receiver.poll(handler, 256);
            if (frames > 0)
            {
                received.lazySet(handler.frames);
                receivedBytes.lazySet(handler.bytes);
            }
        }
    }

    private final class Receiver implements FrameHandler
    {
        long frames;
        long bytes;

        @Override
        public void onFrame(final DirectBuffer buffer, final int offset, final int length, final int flags,
            final int gso)
        {
            frames++;
            bytes += length;
            if (length >= TIMESTAMP_OFFSET + 8)
            {
                final long sentNs = buffer.getLong(offset + TIMESTAMP_OFFSET);
                final long ns = System.nanoTime() - sentNs;
                if (ns > 0 && ns < 60_000_000_000L)
                {
                    latency.recordValue(ns);
                }
            }
        }
    }

    /**
     * Runs guests and backends on the calling thread for {@code durationNs} (threading mode "shared"), for diagnosis.
     *
     * @return frames received.
     */
    public long runShared(final long durationNs)
    {
        final Receiver handler = new Receiver();
        final long end = System.nanoTime() + durationNs;
        while (System.nanoTime() - end < 0)
        {
            for (int i = 0; i < BURST; i++)
            {
                frame.putLong(TIMESTAMP_OFFSET, System.nanoTime());
                if (sender.transmit(frame, 0, frameLength, frameFlags, gsoSize, gsoType) != VifFrontend.OK)
                {
                    break;
                }
            }
            sender.flush();
            sender.doWork();
            backends[0].doWork();
            backends[1].doWork();
            receiver.doWork();
            receiver.poll(handler, 256);
        }
        return handler.frames;
    }

    /** Diagnosis: {@code java -cp pvnet.jar io.pvnet.perf.vif.VifPipeline [frameLength] [seconds]}. */
    public static void main(final String[] args)
    {
        final int length = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        final long seconds = args.length > 1 ? Long.parseLong(args[1]) : 3;
        for (int round = 0; round < 3; round++)
        {
            try (VifPipeline pipeline = new VifPipeline(length, 0, 0, 0,
                io.pvnet.engine.offload.NoFrameOffload.INSTANCE, VifConfig.of(2, 0)))
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
        return received.get();
    }

    /** @return bytes received so far (any thread). */
    public long receivedBytes()
    {
        return receivedBytes.get();
    }

    /** Stops both threads; after this the histogram and counters are stable. */
    public void stop() throws InterruptedException
    {
        running = false;
        guestThread.join(5000);
        hostRunner.close();
    }

    /** @return the one-way latency histogram (read after {@link #stop()}). */
    public Histogram latency()
    {
        return latency;
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

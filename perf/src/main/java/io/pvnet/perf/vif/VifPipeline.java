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
import java.util.function.Supplier;

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
    /** The timestamp sits in the TCP payload (Ethernet 14 + IPv4 20 + TCP 20), followed by a 2-byte marker. */
    private static final int TIMESTAMP_OFFSET = 54;
    private static final int MARKER_OFFSET = TIMESTAMP_OFFSET + 8;
    private static final short MARKER = 0x7669;
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
        final Supplier<FrameOffload> offload, final VifConfig receiverConfig)
    {
        this(Region.createAnonymous(VifRegion.regionBytes(2)), frameLength, frameFlags, gsoSize, gsoType, offload,
            receiverConfig);
    }

    /** As the other constructor, in {@code region} (owned by the pipeline from now on). */
    public VifPipeline(final Region region, final int frameLength, final int frameFlags, final int gsoSize,
        final int gsoType, final Supplier<FrameOffload> offloads, final VifConfig receiverConfig)
    {
        this.frameLength = frameLength;
        this.frameFlags = frameFlags;
        this.gsoSize = gsoSize;
        this.gsoType = gsoType;
        this.region = region;
        final VifRegion vifRegion = VifRegion.create(region);
        final VifConfig senderConfig = VifConfig.of(1, 0).withMtu(Math.max(1500, Math.min(65535, frameLength)));
        // one offload instance per thread: the host thread's backends share one, the guest thread's frontends another
        final FrameOffload hostOffload = offloads.get();
        final FrameOffload guestOffload = offloads.get();
        backends[0] = VifBackend.create(vifRegion, senderConfig, Crossover.sinkTo(backends, 1), hostOffload);
        backends[1] = VifBackend.create(vifRegion, receiverConfig, Crossover.sinkTo(backends, 0), hostOffload);
        sender = VifFrontend.create(vifRegion, senderConfig, backends[0].counters(), guestOffload);
        receiver = VifFrontend.create(vifRegion, receiverConfig, backends[1].counters(), guestOffload);
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
        frame = tcpFrame(frameLength, (frameFlags & io.pvnet.engine.FrameFlags.CSUM_PARTIAL) != 0);
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
                // (the TCP checksum of a non-offloaded frame goes stale here; nothing on the path checks it)
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
            // only a frame (or a TSO frame's first segment) that carries the marker has a send time
            if (length >= MARKER_OFFSET + 2 && buffer.getShort(offset + MARKER_OFFSET) == MARKER)
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
                io.pvnet.engine.offload.ChecksumFrameOffload::new, VifConfig.of(2, 0)))
            {
                final long frames = pipeline.runShared(seconds * 1_000_000_000L);
                System.out.printf("shared thread, %d B: %.3f Mpps, drops=%d%n", length, frames / (seconds * 1e6),
                    pipeline.drops());
            }
        }
    }

    /**
     * Builds an Ethernet/IPv4/TCP frame of {@code length} bytes (at least 64) with a zeroed payload; with
     * {@code csumPartial} the TCP checksum field holds only the pseudo-header sum, as a guest offloading it sends it.
     */
    public static UnsafeBuffer tcpFrame(final int length, final boolean csumPartial)
    {
        final java.nio.ByteOrder be = java.nio.ByteOrder.BIG_ENDIAN;
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        frame.setMemory(0, length, (byte)0);
        frame.putLong(0, 0x00163E000200_0016L, be);          // dst 00:16:3e:00:02:00, src 00:16:..
        frame.putInt(8, 0x3E000100, be);                     // .. 3e:00:01:00
        frame.putShort(12, (short)0x0800, be);
        final int ipLength = length - 14;
        frame.putByte(14, (byte)0x45);
        frame.putShort(16, (short)ipLength, be);
        frame.putShort(18, (short)1, be);
        frame.putShort(20, (short)0x4000, be);               // DF
        frame.putByte(22, (byte)64);
        frame.putByte(23, (byte)6);
        frame.putInt(26, 0x0A000001, be);
        frame.putInt(30, 0x0A000002, be);
        int ipSum = 0;
        for (int i = 14; i < 34; i += 2)
        {
            ipSum += frame.getShort(i, be) & 0xFFFF;
        }
        ipSum = (ipSum & 0xFFFF) + (ipSum >>> 16);
        ipSum = (ipSum & 0xFFFF) + (ipSum >>> 16);
        frame.putShort(24, (short)~ipSum, be);
        frame.putShort(34, (short)40000, be);
        frame.putShort(36, (short)5001, be);
        frame.putInt(38, 1, be);
        frame.putInt(42, 1, be);
        frame.putByte(46, (byte)0x50);
        frame.putByte(47, (byte)0x18);                       // ACK | PSH
        frame.putShort(48, (short)65535, be);
        final int tcpLength = ipLength - 20;
        int pseudo = 0x0A00 + 0x0001 + 0x0A00 + 0x0002 + 6 + tcpLength;
        pseudo = (pseudo & 0xFFFF) + (pseudo >>> 16);
        if (csumPartial)
        {
            frame.putShort(50, (short)pseudo, be);
        }
        else
        {
            int sum = pseudo;
            for (int i = 34; i + 1 < length; i += 2)
            {
                sum += frame.getShort(i, be) & 0xFFFF;
            }
            if ((length - 34) % 2 != 0)
            {
                sum += (frame.getByte(length - 1) & 0xFF) << 8;
            }
            while ((sum >>> 16) != 0)
            {
                sum = (sum & 0xFFFF) + (sum >>> 16);
            }
            frame.putShort(50, (short)~sum, be);
        }
        if (length >= MARKER_OFFSET + 2)
        {
            frame.putShort(MARKER_OFFSET, MARKER);
        }
        return frame;
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

package io.pvnet.perf.vif;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.VifFrontend;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The guest side of the {@code vif} benchmarks: a sender frontend transmitting one frame over and over in bursts and a
 * receiver frontend counting what arrives. Each frame carries its burst's send time ({@link System#nanoTime()}, read
 * once per burst) in the TCP payload; the receiver reads the clock once per poll and records each frame's one-way
 * latency into an HdrHistogram (same thread, same clock). Two clock reads per frame cost more than the rest of the
 * guest's work per 64-byte frame on this VM, so neither side reads it per frame.
 * <p>
 * Threading: one thread calls {@link #step()} and {@link #resetLatency()}; {@link #received()} and
 * {@link #receivedBytes()} may be read from any thread.
 */
public final class VifGuests
{
    /** The timestamp sits in the TCP payload (Ethernet 14 + IPv4 20 + TCP 20), followed by a 2-byte marker. */
    static final int TIMESTAMP_OFFSET = 54;
    static final int MARKER_OFFSET = TIMESTAMP_OFFSET + 8;
    static final short MARKER = 0x7669;
    /** The TCP source port (Ethernet 14 + IPv4 20): varied per frame when the vif has several queues. */
    static final int SOURCE_PORT_OFFSET = 34;

    private final VifFrontend sender;
    private final VifFrontend receiver;
    private final UnsafeBuffer frame;
    private final int frameLength;
    /** Describes every frame the sender transmits (the guests' thread only). */
    private final FrameMetadata frameMetadata;
    private final int burst;
    /** The flow of the next frame (its source port), while several queues are connected. */
    private int flow;
    /** Frames of more than a page (many ring slots each). */
    private final boolean largeFrames;
    private final Histogram latency = new Histogram(60_000_000_000L, 3);
    private final Receiver handler = new Receiver();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong receivedBytes = new AtomicLong();

    public VifGuests(final VifFrontend sender, final VifFrontend receiver, final int frameLength, final int frameFlags,
        final int gsoSize, final int gsoType)
    {
        this(sender, receiver, frameLength, frameFlags, gsoSize, gsoType, 32);
    }

    /** @param burst frames transmitted per {@link #step()} before one push. */
    public VifGuests(final VifFrontend sender, final VifFrontend receiver, final int frameLength, final int frameFlags,
        final int gsoSize, final int gsoType, final int burst)
    {
        this.burst = burst;
        this.largeFrames = frameLength > 4096;
        this.sender = sender;
        this.receiver = receiver;
        this.frameLength = frameLength;
        this.frameMetadata = new FrameMetadata().set(frameFlags, gsoSize, gsoType);
        this.frame = tcpFrame(frameLength, (frameFlags & FrameFlags.CSUM_PARTIAL) != 0);
    }

    /** Transmits a burst, runs both frontends, receives. @return frames sent and received (0: nothing moved). */
    public int step()
    {
        int sent = 0;
        // one clock read per burst (the burst leaves at the flush below); the TCP checksum of a non-offloaded frame
        // goes stale here, nothing on the path checks it
        frame.putLong(TIMESTAMP_OFFSET, System.nanoTime());
        int frames = 0;
        final boolean spread = sender.queueCount() > 1;
        for (int i = 0; i < burst; i++)
        {
            if (spread)
            {
                // several queues: 64 flows (source ports), so that the flow hash spreads the frames over every queue
                frame.putShort(SOURCE_PORT_OFFSET, (short)(40000 + (flow & 63)), java.nio.ByteOrder.BIG_ENDIAN);
            }
            if (sender.transmit(frame, 0, frameLength, frameMetadata) != VifFrontend.OK)
            {
                break;
            }
            flow++;
            sent++;
            if (largeFrames)
            {
                // a burst of 64 KiB frames is a megabyte of copying: publish each frame and serve the receiving side
                // (taking segments reposts their rx buffers) in between, as a guest's NAPI poll interleaves rx and tx,
                // rather than leaving the backend without rx buffers for the whole burst
                sender.flush();
                frames += receive();
            }
        }
        sender.flush();
        sender.doWork();
        receiver.doWork();
        return sent + frames + receive();
    }

    /** Takes what arrived for the receiving guest (reposting its buffers). @return frames taken. */
    private int receive()
    {
        // one clock read per poll: each frame's latency ends when the guest starts taking the batch it arrived in
        handler.nowNs = System.nanoTime();
        final int frames = receiver.poll(handler, 256);
        if (frames > 0)
        {
            received.lazySet(handler.frames);
            receivedBytes.lazySet(handler.bytes);
        }
        return frames;
    }

    /** Runs both frontends without sending (negotiation). */
    public void idle()
    {
        sender.doWork();
        receiver.doWork();
    }

    public boolean connected()
    {
        return sender.isConnected() && receiver.isConnected();
    }

    /** Clears the latency histogram (the stepping thread only). */
    public void resetLatency()
    {
        latency.reset();
    }

    /** @return the one-way latency histogram (the stepping thread, or after it stopped). */
    public Histogram latency()
    {
        return latency;
    }

    public long received()
    {
        return received.get();
    }

    public long receivedBytes()
    {
        return receivedBytes.get();
    }

    private final class Receiver implements FrameHandler
    {
        long frames;
        long bytes;
        long nowNs;

        @Override
        public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            frames++;
            bytes += length;
            // only a frame (or a TSO frame's first segment) that carries the marker has a send time
            if (length >= MARKER_OFFSET + 2 && buffer.getShort(offset + MARKER_OFFSET) == MARKER)
            {
                final long ns = nowNs - buffer.getLong(offset + TIMESTAMP_OFFSET);
                if (ns > 0 && ns < 60_000_000_000L)
                {
                    latency.recordValue(ns);
                }
            }
        }
    }

    /**
     * Builds an Ethernet/IPv4/TCP frame of {@code length} bytes (at least 64) with a zeroed payload; with
     * {@code csumPartial} the TCP checksum field holds only the pseudo-header sum, as a guest offloading it sends it.
     */
    static UnsafeBuffer tcpFrame(final int length, final boolean csumPartial)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        frame.setMemory(0, length, (byte)0);
        final FrameBuilder builder = new FrameBuilder().wrap(frame, 0)
            .ethernet(0x0016_3E00_0200L, 0x0016_3E00_0100L)
            .ipv4(0x0A00_0001, 0x0A00_0002).identification(1)
            .tcp(40000, 5001, 1, 1, TcpHeader.ACK | TcpHeader.PSH, 65535);
        builder.payloadLength(length - builder.payloadOffset());
        if (csumPartial)
        {
            builder.buildPartial();
        }
        else
        {
            builder.build();
        }
        if (length >= MARKER_OFFSET + 2)
        {
            frame.putShort(MARKER_OFFSET, MARKER);
        }
        return frame;
    }

}

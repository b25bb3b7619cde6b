package io.pvnet.perf.vif;

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

    private final VifFrontend sender;
    private final VifFrontend receiver;
    private final UnsafeBuffer frame;
    private final int frameLength;
    private final int frameFlags;
    private final int gsoSize;
    private final int gsoType;
    private final int burst;
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
        this.frameFlags = frameFlags;
        this.gsoSize = gsoSize;
        this.gsoType = gsoType;
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
        for (int i = 0; i < burst; i++)
        {
            if (sender.transmit(frame, 0, frameLength, frameFlags, gsoSize, gsoType) != VifFrontend.OK)
            {
                break;
            }
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
        public void onFrame(final DirectBuffer buffer, final int offset, final int length, final int flags,
            final int gso)
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

}

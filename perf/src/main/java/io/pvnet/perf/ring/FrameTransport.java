package io.pvnet.perf.ring;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One single-producer single-consumer channel carrying 64-byte frames, driven by two threads: one calls
 * {@link #produce(int)}, the other {@link #consume(int)}. Used by the JMH benchmarks and by the {@code ring} bench
 * scenario, so both measure the same code. Implementations allocate nothing per frame.
 */
public abstract class FrameTransport
{
    /** Bytes in every frame. */
    public static final int FRAME_LENGTH = 64;
    /** Frames each transport holds at most. */
    public static final int CAPACITY = 1024;

    /**
     * Producer thread: publishes up to {@code batch} frames, each written in full (8 longs).
     *
     * @return frames published; 0 when the channel was full.
     */
    public abstract int produce(int batch);

    /**
     * Consumer thread: takes up to {@code batch} frames, each read in full (and for pvnet answered in place).
     *
     * @return frames consumed; 0 when the channel was empty.
     */
    public abstract int consume(int batch);

    /** @return a value that depends on every frame consumed, so the JIT cannot drop the reads. */
    public abstract long checksum();

    /** @return the name figures are reported under, for example {@code pvnet} or {@code agrona}. */
    public abstract String name();

    /** Writes one whole frame for sequence number {@code value} at {@code offset}: the same 8 stores in every transport. */
    static void writeFrame(final MutableDirectBuffer buffer, final int offset, final long value)
    {
        for (int i = 0; i < FRAME_LENGTH; i += 8)
        {
            buffer.putLong(offset + i, value + i);
        }
    }

    /** @return {@code sum} plus every long of the frame at {@code offset}: the same 8 loads in every transport. */
    static long readFrame(final DirectBuffer buffer, final int offset, final long sum)
    {
        long result = sum;
        for (int i = 0; i < FRAME_LENGTH; i += 8)
        {
            result += buffer.getLong(offset + i);
        }
        return result;
    }

    /** @return a fresh transport by name: {@code pvnet}, {@code pvnet-padded}, {@code agrona}, {@code jctools}. */
    public static FrameTransport create(final String name)
    {
        return switch (name)
        {
            case "pvnet" -> new PvnetTransport(io.pvnet.ring.RingLayout.XEN);
            case "pvnet-padded" -> new PvnetTransport(io.pvnet.ring.RingLayout.PADDED);
            case "agrona" -> new AgronaTransport();
            case "jctools" -> new JctoolsTransport();
            default -> throw new IllegalArgumentException("transport=" + name + " is not one of pvnet, pvnet-padded, agrona, jctools");
        };
    }
}

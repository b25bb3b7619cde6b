package io.pvnet.engine.xnb;

import io.pvnet.engine.frame.FrameMetadata;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * The backend's bounded queue of frames waiting for the guest to post receive buffers (Linux netback's internal rx
 * queue, capped in bytes after XSA-392). Over an Agrona {@link OneToOneRingBuffer}: one producer thread (whoever hands
 * the vif frames) and the backend agent as the consumer.
 * <p>
 * Each message: a 16-byte header, then the frame.
 * <pre>
 *  0: flags (i32, FrameFlags)   4: gsoSize (u16)   6: gsoType (u16)   8: enqueue time (i64, ns)   16: frame bytes
 * </pre>
 * Of a frame's {@link FrameMetadata} the queue keeps what the rx path uses: flags and GSO. The checksum position
 * comes back as {@link FrameMetadata#UNKNOWN} (the frame's headers say it) and the hash as none (the backend
 * computes the guest's hash itself when it delivers, with the key the guest set).
 */
public final class RxFrameQueue
{
    /** Message type id of a frame. */
    public static final int FRAME_TYPE_ID = 1;
    /** Offset of the flags in a message. */
    public static final int FLAGS_OFFSET = 0;
    /** Offset of the GSO size. */
    public static final int GSO_SIZE_OFFSET = 4;
    /** Offset of the GSO type. */
    public static final int GSO_TYPE_OFFSET = 6;
    /** Offset of the enqueue time. */
    public static final int TIME_OFFSET = 8;
    /** Length of the header. */
    public static final int HEADER_LENGTH = 16;

    private final OneToOneRingBuffer ring;
    private final UnsafeBuffer buffer;
    private final int byteCap;
    private long offered;
    private long taken;

    /**
     * {@return the direct memory of a queue made with these arguments: a power-of-two ring and its trailer}
     *
     * @param byteCapBytes  as the constructor's.
     * @param maxFrameBytes as the constructor's.
     */
    static long directBytes(final int byteCapBytes, final int maxFrameBytes)
    {
        final int minCapacity = Math.max(byteCapBytes + maxFrameBytes, (maxFrameBytes + HEADER_LENGTH + 64) * 8);
        return (long)BitUtil.findNextPositivePowerOfTwo(minCapacity) + RingBufferDescriptor.TRAILER_LENGTH;
    }

    /**
     * @param byteCapBytes frames that would take the queued bytes (records with their headers, and ring padding)
     *                     beyond this are refused (Linux: 512 KiB).
     * @param maxFrameBytes the largest frame that must fit.
     */
    public RxFrameQueue(final int byteCapBytes, final int maxFrameBytes)
    {
        this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect((int)directBytes(byteCapBytes, maxFrameBytes)));
        this.ring = new OneToOneRingBuffer(buffer);
        this.byteCap = byteCapBytes;
    }

    /**
     * Queues a copy of a frame and of its metadata's flags and GSO.
     *
     * @param metadata the frame's, read during the call only.
     * @param nowNs    the enqueue time.
     * @return true if queued, false if the byte cap or the ring is full.
     */
    public boolean offer(
        final DirectBuffer frame, final int offset, final int length, final FrameMetadata metadata, final long nowNs)
    {
        if (ring.size() + bytesToQueue(length) > byteCap)
        {
            return false;
        }
        final int index = ring.tryClaim(FRAME_TYPE_ID, HEADER_LENGTH + length);
        if (index < 0)
        {
            return false;
        }
        final UnsafeBuffer target = (UnsafeBuffer)ring.buffer();
        target.putInt(index + FLAGS_OFFSET, metadata.flags());
        target.putShort(index + GSO_SIZE_OFFSET, (short)metadata.gsoSize());
        target.putShort(index + GSO_TYPE_OFFSET, (short)metadata.gsoType());
        target.putLong(index + TIME_OFFSET, nowNs);
        target.putBytes(index + HEADER_LENGTH, frame, offset, length);
        ring.commit(index);
        offered++;
        return true;
    }

    /**
     * Reads the metadata a message was queued with.
     *
     * @param buffer   the queue's buffer, as the drain handler gets it.
     * @param index    the message's index, as the drain handler gets it.
     * @param metadata filled (the consumer's reused instance).
     * @return {@code metadata}.
     */
    public static FrameMetadata readMetadata(final DirectBuffer buffer, final int index, final FrameMetadata metadata)
    {
        return metadata.set(buffer.getInt(index + FLAGS_OFFSET), buffer.getShort(index + GSO_SIZE_OFFSET) & 0xFFFF,
            buffer.getShort(index + GSO_TYPE_OFFSET) & 0xFFFF);
    }

    /**
     * What queueing a frame adds to {@link #size()}: its record (Agrona's record header, this queue's header and the
     * frame, aligned) plus the padding the ring writes first when the record does not fit before the buffer's end.
     * Counting all of it keeps {@link #size()} at or under the byte cap at every moment (the consumer can only make
     * it smaller meanwhile). Producer thread only: it reads the producer position.
     */
    private int bytesToQueue(final int length)
    {
        final int record = BitUtil.align(RecordDescriptor.HEADER_LENGTH + HEADER_LENGTH + length,
            RecordDescriptor.ALIGNMENT);
        final int capacity = ring.capacity();
        final int toBufferEnd = capacity - (int)(ring.producerPosition() & (capacity - 1));
        return record > toBufferEnd ? record + toBufferEnd : record;
    }

    /** Hands up to {@code limit} frames to {@code handler}; ABORT keeps the head frame queued. */
    public int drain(final ControlledMessageHandler handler, final int limit)
    {
        final int read = ring.controlledRead(handler, limit);
        taken += read;
        return read;
    }

    /** @return frames queued and not yet taken (exact on the consumer thread when the producer is idle). */
    public long frames()
    {
        return offered - taken;
    }

    /**
     * @return whether nothing is queued: exact on the consumer thread (two position reads, cheaper than {@link #size()},
     *         which the backend would otherwise pay for every frame it delivers straight to the guest).
     */
    public boolean isEmpty()
    {
        return ring.producerPosition() == ring.consumerPosition();
    }

    /** @return queued bytes (headers included), approximately when read from another thread. */
    public int size()
    {
        return ring.size();
    }

    /** Drops everything queued (on disconnect). Consumer thread only. */
    public int clear()
    {
        int cleared = 0;
        // one read stops at the end of the buffer (possibly having consumed only padding); two more get past the wrap
        for (int pass = 0; pass < 3 && ring.size() > 0; pass++)
        {
            cleared += ring.read(DISCARD, Integer.MAX_VALUE);
        }
        taken += cleared;
        return cleared;
    }

    private static final org.agrona.concurrent.MessageHandler DISCARD = (msgTypeId, buffer, index, length) -> { };
}

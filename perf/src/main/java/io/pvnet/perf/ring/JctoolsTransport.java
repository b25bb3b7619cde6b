package io.pvnet.perf.ring;

import org.agrona.concurrent.UnsafeBuffer;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.SpscArrayQueue;

import java.nio.ByteBuffer;

/**
 * JCTools' {@link SpscArrayQueue} of {@value FrameTransport#CAPACITY} carrying references to pooled 64-byte off-heap
 * frames: the producer writes a pooled frame and offers its reference, the consumer drains up to a batch and reads each
 * frame. The pool holds twice the queue's capacity, so a frame is never rewritten while the consumer may still read it.
 */
final class JctoolsTransport extends FrameTransport implements MessagePassingQueue.Consumer<JctoolsTransport.Frame>
{
    /** A reference to one pooled frame. */
    static final class Frame
    {
        final int offset;

        Frame(final int offset)
        {
            this.offset = offset;
        }
    }

    private static final int POOL_SIZE = 2 * CAPACITY;

    private final SpscArrayQueue<Frame> queue = new SpscArrayQueue<>(CAPACITY);
    private final UnsafeBuffer frames = new UnsafeBuffer(ByteBuffer.allocateDirect(POOL_SIZE * FRAME_LENGTH));
    private final Frame[] pool = new Frame[POOL_SIZE];
    private long sequence;
    private long checksum;

    JctoolsTransport()
    {
        for (int i = 0; i < POOL_SIZE; i++)
        {
            pool[i] = new Frame(i * FRAME_LENGTH);
        }
    }

    @Override
    public int produce(final int batch)
    {
        int produced = 0;
        while (produced < batch)
        {
            final long value = sequence;
            final Frame frame = pool[(int)(value & (POOL_SIZE - 1))];
            writeFrame(frames, frame.offset, value);
            if (!queue.offer(frame))
            {
                break;
            }
            sequence = value + 1;
            produced++;
        }
        return produced;
    }

    @Override
    public int consume(final int batch)
    {
        return queue.drain(this, batch);
    }

    @Override
    public void accept(final Frame frame)
    {
        checksum = readFrame(frames, frame.offset, checksum);
    }

    @Override
    public long checksum()
    {
        return checksum;
    }

    @Override
    public String name()
    {
        return "jctools";
    }
}

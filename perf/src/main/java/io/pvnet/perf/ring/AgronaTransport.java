package io.pvnet.perf.ring;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * Agrona's {@link OneToOneRingBuffer} carrying the same 64-byte frames: the producer writes each frame in place
 * through {@code tryClaim}/{@code commit} (its zero-copy path), the consumer reads them with {@code read(handler, batch)}.
 * Data area: 128 KiB, room for at least {@value FrameTransport#CAPACITY} records of 8 + 64 bytes.
 */
final class AgronaTransport extends FrameTransport implements MessageHandler
{
    private static final int MSG_TYPE = 1;
    private static final int DATA_LENGTH = 128 * 1024;

    private final OneToOneRingBuffer ring = new OneToOneRingBuffer(
        new UnsafeBuffer(ByteBuffer.allocateDirect(DATA_LENGTH + RingBufferDescriptor.TRAILER_LENGTH)));
    private long sequence;
    private long checksum;

    @Override
    public int produce(final int batch)
    {
        final MutableDirectBuffer buffer = ring.buffer();
        int produced = 0;
        while (produced < batch)
        {
            final int index = ring.tryClaim(MSG_TYPE, FRAME_LENGTH);
            if (index < 0)
            {
                break;
            }
            writeFrame(buffer, index, sequence++);
            ring.commit(index);
            produced++;
        }
        return produced;
    }

    @Override
    public int consume(final int batch)
    {
        return ring.read(this, batch);
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        checksum = readFrame(buffer, index, checksum);
    }

    @Override
    public long checksum()
    {
        return checksum;
    }

    @Override
    public String name()
    {
        return "agrona";
    }
}

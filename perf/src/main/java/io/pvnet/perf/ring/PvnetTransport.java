package io.pvnet.perf.ring;

import io.pvnet.ring.BackRing;
import io.pvnet.ring.FrontRing;
import io.pvnet.ring.RingLayout;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.SharedRingDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A pvnet {@link SharedRing} of {@value FrameTransport#CAPACITY} 64-byte slots carrying frames in place: the producer
 * (front) claims slots, writes each frame into its slot and pushes with the notify check once per batch, and reaps
 * responses; the consumer (back) reads each frame, answers in the same slot and pushes responses with the notify check
 * once per batch. A frame counts when it has been consumed and answered.
 */
final class PvnetTransport extends FrameTransport
{
    private static final int STATUS_OFFSET = 0;

    private final RingLayout layout;
    private final UnsafeBuffer buffer;
    private final FrontRing front;
    private final BackRing back;
    private long sequence;
    private long checksum;
    private long responseSum;

    PvnetTransport(final RingLayout layout)
    {
        this.layout = layout;
        final int length = layout.headerLength() + CAPACITY * FRAME_LENGTH;
        final int pages = (length + SharedRingDescriptor.PAGE_SIZE - 1) / SharedRingDescriptor.PAGE_SIZE;
        this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(pages * SharedRingDescriptor.PAGE_SIZE));
        final SharedRing ring = new SharedRing(buffer, FRAME_LENGTH, layout);
        if (ring.size() != CAPACITY)
        {
            throw new IllegalStateException("ring size=" + ring.size() + ", expected " + CAPACITY);
        }
        ring.init();
        this.front = ring.frontRing();
        this.back = ring.backRing();
    }

    @Override
    public int produce(final int batch)
    {
        // reap responses only when short of free slots, as a netfront's tx clean-up does: saves reading rsp_prod's line
        final int responses = front.freeRequests() < batch ? front.unconsumedResponses() : 0;
        for (int i = 0; i < responses; i++)
        {
            responseSum += buffer.getInt(front.responseOffset(front.responseConsumer() + i) + STATUS_OFFSET);
        }
        if (responses > 0)
        {
            front.consumeResponses(responses);
        }
        int produced = 0;
        while (produced < batch)
        {
            final int offset = front.claimRequest();
            if (offset < 0)
            {
                break;
            }
            writeFrame(buffer, offset, sequence++);
            produced++;
        }
        if (produced > 0)
        {
            front.pushRequestsAndCheckNotify(); // both sides spin: nobody arms an event, so this never asks to notify
        }
        return produced;
    }

    @Override
    public int consume(final int batch)
    {
        final int available = Math.min(back.unconsumedRequests(), batch);
        if (available <= 0)
        {
            return 0;
        }
        long sum = checksum;
        for (int n = 0; n < available; n++)
        {
            sum = readFrame(buffer, back.requestOffset(back.requestConsumer()), sum);
            back.consumeRequest();
            final int response = back.claimResponse();
            buffer.putInt(response + STATUS_OFFSET, 1);
        }
        checksum = sum;
        back.pushResponsesAndCheckNotify();
        return available;
    }

    @Override
    public long checksum()
    {
        return checksum + responseSum;
    }

    @Override
    public String name()
    {
        return layout == RingLayout.XEN ? "pvnet" : "pvnet-padded";
    }
}

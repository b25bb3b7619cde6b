package io.pvnet.perf.ring;

import io.pvnet.ring.BackRing;
import io.pvnet.ring.FrontRing;
import io.pvnet.ring.RingLayout;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.SharedRingDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Ping-pong over one page of pvnet {@link SharedRing} with 12-byte (netif tx-sized) entries: the front pushes one request
 * with the notify check, the back answers it in place and pushes the response with the notify check.
 */
final class PvnetPingPong extends PingPong
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(SharedRingDescriptor.PAGE_SIZE));
    private final FrontRing front;
    private final BackRing back;

    PvnetPingPong(final RingLayout layout)
    {
        final SharedRing ring = new SharedRing(buffer, 12, layout);
        ring.init();
        front = ring.frontRing();
        back = ring.backRing();
    }

    @Override
    public long roundTrip(final long value)
    {
        final int request = front.claimRequest();
        if (request < 0)
        {
            return -1;
        }
        buffer.putLong(request, value);
        front.pushRequestsAndCheckNotify();
        while (front.unconsumedResponses() == 0)
        {
            // spin
        }
        final long answer = buffer.getLong(front.responseOffset(front.responseConsumer()));
        front.consumeResponse();
        return answer;
    }

    @Override
    boolean echoOnce()
    {
        if (back.unconsumedRequests() <= 0)
        {
            return false;
        }
        final long value = buffer.getLong(back.requestOffset(back.requestConsumer()));
        back.consumeRequest();
        buffer.putLong(back.claimResponse(), value);
        back.pushResponsesAndCheckNotify();
        return true;
    }
}

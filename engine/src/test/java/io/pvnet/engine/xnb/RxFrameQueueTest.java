package io.pvnet.engine.xnb;

import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RxFrameQueueTest
{
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[1000]);

    @Test
    void shouldReportEmptyOnlyWhenEveryQueuedFrameWasTaken()
    {
        final RxFrameQueue queue = new RxFrameQueue(8 * 1024, 2048);
        assertTrue(queue.isEmpty());
        assertTrue(queue.offer(frame, 0, 100, 0, 0, 0, 1L));
        assertTrue(queue.offer(frame, 0, 200, 0, 0, 0, 2L));
        assertFalse(queue.isEmpty());
        assertEquals(2, queue.frames());

        final List<Integer> lengths = new ArrayList<>();
        // the handler keeps the second frame queued, as the backend does when the guest has no buffers
        final int taken = queue.drain((type, buffer, index, length) ->
        {
            lengths.add(length - RxFrameQueue.HEADER_LENGTH);
            return lengths.size() == 1 ? ControlledMessageHandler.Action.CONTINUE :
                ControlledMessageHandler.Action.ABORT;
        }, 10);
        assertEquals(1, taken);
        assertFalse(queue.isEmpty(), "the aborted frame is still queued");
        assertEquals(1, queue.frames());

        assertEquals(1, queue.drain((type, buffer, index, length) -> ControlledMessageHandler.Action.CONTINUE, 10));
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.size());
        assertEquals(List.of(100, 200), lengths);
    }

    @Test
    void shouldRefuseFramesBeyondTheByteCapAndBeEmptyAfterClear()
    {
        final RxFrameQueue queue = new RxFrameQueue(2_500, 2048);
        assertTrue(queue.offer(frame, 0, 1000, 0, 0, 0, 0L));
        assertTrue(queue.offer(frame, 0, 1000, 0, 0, 0, 0L));
        assertFalse(queue.offer(frame, 0, 1000, 0, 0, 0, 0L), "over 2500 queued bytes");
        assertEquals(2, queue.clear());
        assertTrue(queue.isEmpty());
        assertTrue(queue.offer(frame, 0, 1000, 0, 0, 0, 0L), "room again");
    }
}

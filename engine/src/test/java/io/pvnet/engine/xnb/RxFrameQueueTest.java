package io.pvnet.engine.xnb;

import io.pvnet.engine.frame.FrameMetadata;
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
        assertTrue(queue.offer(frame, 0, 100, FrameMetadata.of(0, 0, 0), 1L));
        assertTrue(queue.offer(frame, 0, 200, FrameMetadata.of(0, 0, 0), 2L));
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
        assertTrue(queue.offer(frame, 0, 1000, FrameMetadata.of(0, 0, 0), 0L));
        assertTrue(queue.offer(frame, 0, 1000, FrameMetadata.of(0, 0, 0), 0L));
        assertFalse(queue.offer(frame, 0, 1000, FrameMetadata.of(0, 0, 0), 0L), "over 2500 queued bytes");
        assertEquals(2, queue.clear());
        assertTrue(queue.isEmpty());
        assertTrue(queue.offer(frame, 0, 1000, FrameMetadata.of(0, 0, 0), 0L), "room again");
    }

    @Test
    void shouldCountEachRecordsHeadersAgainstTheCap()
    {
        // 975-byte frames take 1000 bytes each (8 record header + 16 queue header + 975, aligned to 8): three fill
        // 3000 bytes, and a fourth would make 4000, past a 3990-byte cap even though 3000 + 975 is not
        final RxFrameQueue queue = new RxFrameQueue(3_990, 2048);
        for (int i = 0; i < 3; i++)
        {
            assertTrue(queue.offer(frame, 0, 975, FrameMetadata.of(0, 0, 0), 0L));
        }
        assertEquals(3_000, queue.size());
        assertFalse(queue.offer(frame, 0, 975, FrameMetadata.of(0, 0, 0), 0L), "its headers would pass the cap");
        assertTrue(queue.offer(frame, 0, 960, FrameMetadata.of(0, 0, 0), 0L), "984 more with its headers: 3984");
        assertEquals(3_984, queue.size());
        assertFalse(queue.offer(frame, 0, 0, FrameMetadata.of(0, 0, 0), 0L),
            "not even an empty frame's headers fit now");
    }

    @Test
    void shouldNeverPassTheCapWhateverTheFrameSizesAndWraps()
    {
        final java.util.Random random = new java.util.Random(16);
        final int cap = 5_000;
        final RxFrameQueue queue = new RxFrameQueue(cap, 1000);
        int accepted = 0;
        for (int i = 0; i < 50_000; i++)
        {
            if (queue.offer(frame, 0, random.nextInt(1001), FrameMetadata.of(0, 0, 0), 0L))
            {
                accepted++;
            }
            assertTrue(queue.size() <= cap, "queued " + queue.size() + " bytes after offer " + i);
            if (random.nextInt(3) == 0)
            {
                queue.drain((type, buffer, index, length) -> ControlledMessageHandler.Action.CONTINUE,
                    1 + random.nextInt(3));
            }
        }
        assertTrue(accepted > 10_000, "the cap still admits frames: " + accepted);
    }
}

package io.pvnet.ring;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every ring.h rule, run once per {@link RingLayout} by the subclasses. Rings live in real off-heap buffers.
 */
abstract class SharedRingContractTest
{
    static final int PAGE = SharedRingDescriptor.PAGE_SIZE;
    static final int TX_ENTRY = 12;

    UnsafeBuffer buffer;
    SharedRing ring;
    FrontRing front;
    BackRing back;

    abstract RingLayout layout();

    @BeforeEach
    void setUp()
    {
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(PAGE));
        buffer.setMemory(0, PAGE, (byte)0x5A); // garbage that init must clear in the header
        ring = new SharedRing(buffer, TX_ENTRY, layout());
        ring.init();
        front = ring.frontRing();
        back = ring.backRing();
    }

    @Test
    void shouldFitLargestPowerOfTwoSlots()
    {
        assertEquals(256, ring.size());
        assertEquals(256, SharedRingDescriptor.slotCount(PAGE, 8, layout()));
        assertEquals(32, SharedRingDescriptor.slotCount(PAGE, 64, layout()));
        assertEquals(512, SharedRingDescriptor.slotCount(2 * PAGE, TX_ENTRY, layout()));
        assertEquals(1024, SharedRingDescriptor.slotCount(4 * PAGE, TX_ENTRY, layout()));
        final int header = layout().headerLength();
        assertEquals(1, SharedRingDescriptor.slotCount(header + 12, 12, layout()));
        assertEquals(0, SharedRingDescriptor.slotCount(header + 11, 12, layout()));
        assertEquals(2, SharedRingDescriptor.slotCount(header + 3 * 12 + 11, 12, layout()));
    }

    @Test
    void shouldPlaceSlotsAfterHeaderAndMaskIndices()
    {
        final int header = layout().headerLength();
        assertEquals(header, front.requestOffset(0));
        assertEquals(header + 5 * TX_ENTRY, back.requestOffset(5));
        assertEquals(header + 255 * TX_ENTRY, ring.slotOffset(-1));
        assertEquals(header, ring.slotOffset(256));
        assertEquals(front.requestOffset(0x1_0000 + 7), back.responseOffset(7));
        assertTrue(header + 256 * TX_ENTRY <= PAGE);
    }

    @Test
    void shouldInitHeaderAsSharedRingInit()
    {
        assertEquals(0, buffer.getInt(layout().reqProdOffset()));
        assertEquals(1, buffer.getInt(layout().reqEventOffset()));
        assertEquals(0, buffer.getInt(layout().rspProdOffset()));
        assertEquals(1, buffer.getInt(layout().rspEventOffset()));
        for (int i = 0; i < layout().headerLength(); i += 4)
        {
            if (i != layout().reqEventOffset() && i != layout().rspEventOffset())
            {
                assertEquals(0, buffer.getInt(i), "header word at " + i);
            }
        }
        assertEquals(256, front.freeRequests());
        assertEquals(0, back.unconsumedRequests());
        assertEquals(0, front.unconsumedResponses());
    }

    @Test
    void shouldCarryRequestsAndResponsesThroughTheSameSlot()
    {
        final int offset = front.claimRequest();
        buffer.putInt(offset, 0xCAFE);
        buffer.putShort(offset + 8, (short)17);
        assertEquals(0, back.unconsumedRequests(), "not visible before the push");
        front.pushRequests();
        assertEquals(1, ring.requestProducer());

        assertEquals(1, back.unconsumedRequests());
        final int requestOffset = back.requestOffset(back.requestConsumer());
        assertEquals(offset, requestOffset);
        assertEquals(0xCAFE, buffer.getInt(requestOffset));
        back.consumeRequest();
        assertEquals(0, back.unconsumedRequests());

        final int responseOffset = back.claimResponse();
        assertEquals(offset, responseOffset, "a response overwrites its request's slot");
        buffer.putShort(responseOffset, (short)17);
        buffer.putShort(responseOffset + 2, (short)0);
        back.pushResponses();

        assertEquals(1, front.unconsumedResponses());
        assertEquals(17, buffer.getShort(front.responseOffset(front.responseConsumer())));
        front.consumeResponse();
        assertEquals(0, front.unconsumedResponses());
        assertEquals(256, front.freeRequests());
    }

    @Test
    void shouldReportFullAfterSizeRequestsAndFreeSlotsAsResponsesAreConsumed()
    {
        for (int i = 0; i < 256; i++)
        {
            assertTrue(front.claimRequest() >= 0);
        }
        assertTrue(front.isFull());
        assertEquals(RingStatus.RING_FULL, front.claimRequest());
        assertEquals(256, front.requestProducer(), "a failed claim does not move req_prod_pvt");
        front.pushRequests();

        assertEquals(256, back.unconsumedRequests());
        back.consumeRequests(256);
        for (int i = 0; i < 10; i++)
        {
            assertTrue(back.claimResponse() >= 0);
        }
        back.pushResponses();
        assertTrue(front.isFull(), "responses free slots only once consumed");
        assertEquals(10, front.unconsumedResponses());
        front.consumeResponses(10);
        assertEquals(10, front.freeRequests());
        assertEquals(back.requestOffset(256), front.claimRequest(), "the ring wraps to slot 0");
    }

    @Test
    void shouldRefuseToAnswerMoreThanWasConsumed()
    {
        assertEquals(RingStatus.NOTHING_TO_ANSWER, back.claimResponse());
        front.claimRequest();
        front.pushRequests();
        assertEquals(RingStatus.NOTHING_TO_ANSWER, back.claimResponse(), "not consumed yet");
        back.consumeRequest();
        assertTrue(back.claimResponse() >= 0);
        assertEquals(RingStatus.NOTHING_TO_ANSWER, back.claimResponse());
    }

    @Test
    void shouldApplyXenNotifyRuleModulo2To32()
    {
        // notify iff old < event <= new (mod 2^32)
        assertTrue(SharedRing.needsNotify(0, 1, 1));
        assertFalse(SharedRing.needsNotify(1, 2, 1));
        assertTrue(SharedRing.needsNotify(0, 32, 32));
        assertTrue(SharedRing.needsNotify(0, 32, 1));
        assertFalse(SharedRing.needsNotify(0, 32, 33));
        assertFalse(SharedRing.needsNotify(5, 5, 5), "an empty push never notifies");
        assertFalse(SharedRing.needsNotify(10, 20, 10), "event == old is already past");
        assertTrue(SharedRing.needsNotify(10, 20, 20));
        assertTrue(SharedRing.needsNotify(0xFFFF_FFF0, 0x10, 0), "across the 2^32 wrap");
        assertTrue(SharedRing.needsNotify(0xFFFF_FFF0, 0x10, 0xFFFF_FFFF));
        assertFalse(SharedRing.needsNotify(0xFFFF_FFF0, 0x10, 0xFFFF_FFF0));
        assertFalse(SharedRing.needsNotify(0xFFFF_FFF0, 0x10, 0x11));
    }

    @Test
    void shouldNotifyOnFirstPushThenOnlyAfterBackArmsEvent()
    {
        front.claimRequest();
        assertTrue(front.pushRequestsAndCheckNotify(), "req_event=1 after init: the first request notifies");
        front.claimRequest();
        assertFalse(front.pushRequestsAndCheckNotify(), "event 1 already passed");

        assertEquals(2, back.finalCheckForRequests(), "work pending: no arming");
        assertEquals(1, ring.requestEvent());
        back.consumeRequests(2);
        assertEquals(0, back.finalCheckForRequests());
        assertEquals(3, ring.requestEvent(), "armed at req_cons + 1");

        front.claimRequest();
        front.claimRequest();
        assertTrue(front.pushRequestsAndCheckNotify(), "old=2 < event=3 <= new=4");
    }

    @Test
    void shouldNotNotifyWhenEventLiesBeyondTheBatch()
    {
        back.setRequestEvent(40);
        for (int i = 0; i < 32; i++)
        {
            front.claimRequest();
        }
        assertFalse(front.pushRequestsAndCheckNotify());
        for (int i = 0; i < 8; i++)
        {
            front.claimRequest();
        }
        assertTrue(front.pushRequestsAndCheckNotify(), "old=32 < event=40 <= new=40");
    }

    @Test
    void shouldNotifyResponsesByTheSameRule()
    {
        for (int i = 0; i < 3; i++)
        {
            front.claimRequest();
        }
        front.pushRequests();
        back.consumeRequests(back.unconsumedRequests());
        back.claimResponse();
        assertTrue(back.pushResponsesAndCheckNotify(), "rsp_event=1 after init");
        back.claimResponse();
        assertFalse(back.pushResponsesAndCheckNotify());

        assertEquals(2, front.finalCheckForResponses());
        front.consumeResponses(2);
        assertEquals(0, front.finalCheckForResponses());
        assertEquals(3, ring.responseEvent());
        back.claimResponse();
        assertTrue(back.pushResponsesAndCheckNotify());
    }

    @Test
    void shouldSeeRequestPushedBetweenFirstCheckAndArmingInFinalCheck()
    {
        // the race final-check closes: the front pushes without seeing the armed event; the re-check must see it
        assertEquals(0, back.unconsumedRequests());
        front.claimRequest();
        front.pushRequests(); // a push that read req_event before the back armed it would not notify
        assertEquals(1, back.finalCheckForRequests());

        // the other order: the back armed first, then the push must notify
        back.consumeRequest();
        back.claimResponse();
        back.pushResponses();
        assertEquals(0, back.finalCheckForRequests());
        front.claimRequest();
        assertTrue(front.pushRequestsAndCheckNotify());
    }

    @Test
    void shouldWrapIndicesAt2To32()
    {
        final int start = 0xFFFF_FF00;
        buffer.putInt(layout().reqProdOffset(), start);
        buffer.putInt(layout().rspProdOffset(), start);
        buffer.putInt(layout().reqEventOffset(), start + 1);
        buffer.putInt(layout().rspEventOffset(), start + 1);
        front.attach(start);
        back.attach(start);

        int next = 0;
        int expected = 0;
        boolean notifiedAcrossZero = false;
        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < 29; i++)
            {
                final int offset = front.claimRequest();
                assertTrue(offset >= 0);
                buffer.putInt(offset, next++);
            }
            final int before = front.requestProducer() - 29;
            final boolean notify = front.pushRequestsAndCheckNotify();
            if (Integer.compareUnsigned(before, 0) > 0 && Integer.compareUnsigned(front.requestProducer(), before) < 0)
            {
                notifiedAcrossZero = notify;
            }
            int available = back.unconsumedRequests();
            assertEquals(29, available);
            for (int i = 0; i < available; i++)
            {
                assertEquals(expected++, buffer.getInt(back.requestOffset(back.requestConsumer())));
                back.consumeRequest();
                final int response = back.claimResponse();
                buffer.putInt(response, ~buffer.getInt(response));
            }
            back.pushResponses();
            assertEquals(0, back.finalCheckForRequests());
            final int responses = front.unconsumedResponses();
            assertEquals(29, responses);
            for (int i = 0; i < responses; i++)
            {
                assertEquals(~(expected - 29 + i), buffer.getInt(front.responseOffset(front.responseConsumer())));
                front.consumeResponse();
            }
        }
        assertTrue(Integer.compareUnsigned(front.requestProducer(), 0x1000) < 0, "indices wrapped past 2^32");
        assertTrue(notifiedAcrossZero, "the push crossing 2^32 notified the armed back");
        assertEquals(256, front.freeRequests());
    }

    @Test
    void shouldWrapTheRingManyTimesKeepingOrder()
    {
        int next = 0;
        int expectedRequest = 0;
        int expectedResponse = 0;
        final int[] batches = {1, 7, 32, 255, 256, 3, 100};
        for (int round = 0; round < 40; round++)
        {
            final int batch = Math.min(batches[round % batches.length], front.freeRequests());
            for (int i = 0; i < batch; i++)
            {
                buffer.putInt(front.claimRequest(), next++);
            }
            front.pushRequests();
            final int available = back.unconsumedRequests();
            for (int i = 0; i < available; i++)
            {
                assertEquals(expectedRequest++, buffer.getInt(back.requestOffset(back.requestConsumer() + i)));
            }
            back.consumeRequests(available);
            // answer only half, so requests and responses interleave at different slots
            final int answer = (back.requestConsumer() - back.responseProducer() + 1) / 2;
            for (int i = 0; i < answer; i++)
            {
                final int offset = back.claimResponse();
                buffer.putInt(offset, buffer.getInt(offset) + 1_000_000);
            }
            back.pushResponses();
            final int responses = front.unconsumedResponses();
            for (int i = 0; i < responses; i++)
            {
                assertEquals(1_000_000 + expectedResponse++, buffer.getInt(front.responseOffset(front.responseConsumer())));
                front.consumeResponse();
            }
        }
        assertTrue(next > 4 * 256, "wrapped the ring several times: " + next);
    }

    @Test
    void shouldCapUnconsumedRequestsAgainstHostileProducer()
    {
        for (int i = 0; i < 10; i++)
        {
            front.claimRequest();
        }
        front.pushRequests();
        back.consumeRequests(back.unconsumedRequests()); // 10 consumed, none answered

        // a hostile front claims a full ring more than the back could ever have room for
        buffer.putIntRelease(layout().reqProdOffset(), 256);
        assertEquals(246, back.unconsumedRequests(), "min(req_prod - req_cons, size - (req_cons - rsp_prod_pvt))");
        assertFalse(back.requestProducerOverflow(256));

        buffer.putIntRelease(layout().reqProdOffset(), 257);
        assertTrue(back.requestProducerOverflow(257));
        assertEquals(RingStatus.REQUEST_PROD_OVERFLOW, back.unconsumedRequests());
        assertEquals(RingStatus.REQUEST_PROD_OVERFLOW, back.finalCheckForRequests());

        buffer.putIntRelease(layout().reqProdOffset(), 0x7FFF_0000);
        assertEquals(RingStatus.REQUEST_PROD_OVERFLOW, back.unconsumedRequests(), "far ahead");
        buffer.putIntRelease(layout().reqProdOffset(), 5);
        assertEquals(RingStatus.REQUEST_PROD_OVERFLOW, back.unconsumedRequests(), "behind req_cons");
        buffer.putIntRelease(layout().reqProdOffset(), -1);
        assertEquals(RingStatus.REQUEST_PROD_OVERFLOW, back.unconsumedRequests(), "before rsp_prod_pvt");
        assertEquals(10, back.requestConsumer(), "nothing consumed by a rejected producer");

        assertTrue(back.requestConsumerOverflow(back.responseProducer() + 256));
        assertFalse(back.requestConsumerOverflow(back.responseProducer() + 255));
    }

    @Test
    void shouldDetectHostileResponseProducer()
    {
        for (int i = 0; i < 4; i++)
        {
            front.claimRequest();
        }
        front.pushRequests();
        buffer.putIntRelease(layout().rspProdOffset(), 4);
        assertEquals(4, front.unconsumedResponses());
        buffer.putIntRelease(layout().rspProdOffset(), 5);
        assertEquals(RingStatus.RESPONSE_PROD_OVERFLOW, front.unconsumedResponses(), "more responses than requests");
        buffer.putIntRelease(layout().rspProdOffset(), 0x4000_0000);
        assertEquals(RingStatus.RESPONSE_PROD_OVERFLOW, front.finalCheckForResponses());
        assertTrue(front.responseProducerOverflow(257));
        assertFalse(front.responseProducerOverflow(256));
        assertEquals(0, front.responseConsumer());
    }

    @Test
    void shouldSnapshotRequestsWithCopyRequest()
    {
        final int offset = front.claimRequest();
        buffer.putLong(offset, 0x0102030405060708L);
        buffer.putInt(offset + 8, 99);
        front.pushRequests();
        final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[32]);
        assertEquals(TX_ENTRY, back.copyRequest(back.requestConsumer(), snapshot, 4));
        buffer.putLong(offset, -1L); // the front rewrites the slot after the back looked
        assertEquals(0x0102030405060708L, snapshot.getLong(4));
        assertEquals(99, snapshot.getInt(12));
        assertEquals(0, back.copyRequest(0, snapshot, 21), "no room: nothing copied, nothing thrown");
        assertEquals(0, back.copyRequest(0, snapshot, -1));
    }

    @Test
    void shouldSupportMultiPageRings()
    {
        final UnsafeBuffer fourPages = new UnsafeBuffer(ByteBuffer.allocateDirect(4 * PAGE));
        final SharedRing big = new SharedRing(fourPages, 64, layout());
        big.init();
        assertEquals(Integer.highestOneBit((4 * PAGE - layout().headerLength()) / 64), big.size());
        final FrontRing bigFront = big.frontRing();
        final BackRing bigBack = big.backRing();
        for (int i = 0; i < big.size(); i++)
        {
            final int offset = bigFront.claimRequest();
            assertTrue(offset + 64 <= 4 * PAGE);
            fourPages.putInt(offset + 60, i);
        }
        assertEquals(RingStatus.RING_FULL, bigFront.claimRequest());
        bigFront.pushRequests();
        assertEquals(big.size(), bigBack.unconsumedRequests());
        assertEquals(big.size() - 1, fourPages.getInt(bigBack.requestOffset(big.size() - 1) + 60));
    }

    @Test
    void shouldRejectBuffersTooSmallForOneSlot()
    {
        final UnsafeBuffer tiny = new UnsafeBuffer(ByteBuffer.allocateDirect(layout().headerLength() + 11));
        assertThrows(IllegalArgumentException.class, () -> new SharedRing(tiny, 12, layout()));
        assertThrows(IllegalArgumentException.class, () -> new SharedRing(buffer, 0, layout()));
    }

    @Test
    void shouldSurviveRandomHostileIndicesWithoutExceptionsOrOutOfBoundsOffsets()
    {
        final java.util.Random random = new java.util.Random(42);
        final int[] interesting = {0, 1, -1, 255, 256, 257, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x8000_0001};
        for (int round = 0; round < 20_000; round++)
        {
            final int offset = switch (random.nextInt(4))
            {
                case 0 -> layout().reqProdOffset();
                case 1 -> layout().rspProdOffset();
                case 2 -> layout().reqEventOffset();
                default -> layout().rspEventOffset();
            };
            final int value = random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : random.nextInt();
            buffer.putIntRelease(offset, value);

            final int requests = back.finalCheckForRequests();
            assertTrue(requests == RingStatus.REQUEST_PROD_OVERFLOW || (requests >= 0 && requests <= ring.size()));
            if (requests > 0)
            {
                final int take = 1 + random.nextInt(requests);
                for (int i = 0; i < take; i++)
                {
                    assertSlot(back.requestOffset(back.requestConsumer()));
                    back.consumeRequest();
                }
            }
            final int answers = random.nextInt(4);
            for (int i = 0; i < answers; i++)
            {
                final int slot = back.claimResponse();
                assertTrue(slot == RingStatus.NOTHING_TO_ANSWER || isSlot(slot));
            }
            back.pushResponsesAndCheckNotify();

            final int responses = front.finalCheckForResponses();
            assertTrue(responses == RingStatus.RESPONSE_PROD_OVERFLOW || (responses >= 0 && responses <= ring.size()));
            if (responses > 0)
            {
                assertSlot(front.responseOffset(front.responseConsumer()));
                front.consumeResponses(responses);
            }
            final int claims = random.nextInt(4);
            for (int i = 0; i < claims; i++)
            {
                final int slot = front.claimRequest();
                assertTrue(slot == RingStatus.RING_FULL || isSlot(slot));
            }
            front.pushRequestsAndCheckNotify();
            assertTrue(front.freeRequests() >= 0 && front.freeRequests() <= ring.size(), "free=" + front.freeRequests());
        }
    }

    private boolean isSlot(final int offset)
    {
        return offset >= layout().headerLength() && offset + TX_ENTRY <= PAGE && (offset - layout().headerLength()) % TX_ENTRY == 0;
    }

    private void assertSlot(final int offset)
    {
        assertTrue(isSlot(offset), "offset=" + offset);
    }
}

package io.pvnet.engine.bridge;

import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrossoverTest
{
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final FrameMetadata metadata = new FrameMetadata();

    @Test
    void shouldHandEachEndsFramesToTheOtherUntouchedAndCountThemOnBothPorts()
    {
        final Crossover cable = new Crossover();
        final RecordingPort first = new RecordingPort("a", PortOffloads.ALL, 1500);
        final RecordingPort second = new RecordingPort("b", PortOffloads.ALL, 1500);
        assertEquals(0, cable.attach(first));
        assertEquals(1, cable.attach(second));

        final int length = TestFrames.tcp4(frame, 0, -1, 500, true);
        final byte[] sent = new byte[length];
        frame.getBytes(0, sent);
        assertEquals(0, cable.ingress(0).onFrame(frame, 0, length, metadata.set(FrameFlags.CSUM_PARTIAL, 0, 0)));
        assertEquals(0, first.frames.size(), "nothing goes back to the sender");
        assertArrayEquals(sent, second.last().bytes());
        assertEquals(FrameFlags.CSUM_PARTIAL, second.last().flags(), "an offloading end gets the offload");
        assertEquals(0, cable.ingress(1).onFrame(frame, 0, length, metadata.set(0, 0, 0)));
        assertEquals(1, first.frames.size());

        assertEquals(1, cable.ports().counters(0).get(PortCounters.RX_FRAMES));
        assertEquals(length, cable.ports().counters(0).get(PortCounters.RX_BYTES));
        assertEquals(1, cable.ports().counters(1).get(PortCounters.TX_FRAMES));
        assertEquals(1, cable.ports().counters(0).get(PortCounters.TX_FRAMES));
    }

    @Test
    void shouldCompleteChecksumsForAnEndThatCannotAndReturnItsRefusalToTheSender()
    {
        final Crossover cable = new Crossover(new ChecksumFrameOffload(), new ChecksumFrameOffload());
        final RecordingPort first = new RecordingPort("a", PortOffloads.ALL, 1500);
        final RecordingPort plain = new RecordingPort("b", PortOffloads.NONE, 1500);
        cable.attach(first);
        cable.attach(plain);

        final int length = TestFrames.tcp4(frame, 0, -1, 500, true);
        assertEquals(0, cable.ingress(0).onFrame(frame, 0, length, metadata.set(FrameFlags.CSUM_PARTIAL, 0, 0)));
        final byte[] completed = plain.last().bytes();
        assertTrue(TestFrames.l4ChecksumOk(new UnsafeBuffer(completed), 0, completed.length));
        assertEquals(FrameFlags.DATA_VALIDATED, plain.last().flags());

        plain.refuseWith = PortDropReason.WRITE_FAILED;
        assertEquals(PortDropReason.WRITE_FAILED, cable.ingress(0).onFrame(frame, 0, 60, metadata.set(0, 0, 0)));
        assertEquals(1, cable.ports().counters(1).txDrops(PortDropReason.WRITE_FAILED));
        assertEquals(PortDropReason.RUNT, cable.ingress(0).onFrame(frame, 0, 13, metadata.set(0, 0, 0)));
        assertEquals(1, cable.ports().counters(0).rxDrops(PortDropReason.RUNT));
    }

    @Test
    void shouldTakeTwoEndsOnlyAndPlugBackendsOnlyIntoVifEnds()
    {
        final Crossover cable = new Crossover();
        assertEquals(PortDropReason.WRITE_FAILED, cable.ingress(cable.attach(new RecordingPort("a", 0, 1500)))
            .onFrame(frame, 0, TestFrames.tcp4(frame, 0, -1, 10, false), metadata.set(0, 0, 0)), "no other end yet");
        cable.attach(new RecordingPort("b", 0, 1500));
        assertThrows(IllegalStateException.class, () -> cable.attach(new RecordingPort("c", 0, 1500)));
        assertThrows(IllegalArgumentException.class, () -> cable.plug(0, null));
        assertEquals("crossover", cable.roleName());
    }
}

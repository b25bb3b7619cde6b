package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.UdpHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StreamReporter}: the one rule by which both receivers of a numbered stream (a guest's sink, gen's reverse
 * flows) report: every N datagrams, or the interval passed with datagrams unreported; and the report frame they send.
 */
class StreamReporterTest
{
    private static final int PAYLOAD = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;

    private final StreamReporter reporter = new StreamReporter();
    private long nowNs = 5_000_000_000L;

    @Test
    void shouldBeDueEveryNDatagramsOrWhenTheIntervalPassedWithDatagramsUnreported()
    {
        reporter.start(42, 0, 4, 1_000_000L, nowNs);
        assertFalse(reporter.due(nowNs + 10_000_000L), "nothing unreported: no report, however long");
        assertEquals(Long.MAX_VALUE, reporter.nanosToDue(nowNs));
        for (int sequence = 0; sequence < 3; sequence++)
        {
            reporter.counter().onDatagram(sequence, 64);
        }
        assertFalse(reporter.due(nowNs));
        assertEquals(1_000_000L, reporter.nanosToDue(nowNs));
        assertTrue(reporter.due(nowNs + 1_000_000L), "the interval passed");
        reporter.counter().onDatagram(3, 64);
        assertTrue(reporter.due(nowNs), "the fourth datagram");
        reporter.sent(nowNs);
        assertFalse(reporter.due(nowNs + 999_999L));
        reporter.counter().onDatagram(4, 64);
        assertEquals(1_000_000L, reporter.nanosToDue(nowNs), "the interval runs from the last report");
    }

    @Test
    void shouldBuildAReportOfTheCountFromTheReceiverToTheSender()
    {
        reporter.start(7, 10, 1, 1_000_000L, nowNs);
        reporter.counter().onDatagram(10, 100);
        reporter.counter().onDatagram(12, 100);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
        final int length = reporter.build(new FrameBuilder(), frame, 0x00163E000200L, 0x00163E000100L, 0x0A000001,
            0x0A000002, StreamSource.PORT, 40_000, true);
        assertEquals(PAYLOAD + StreamControlDescriptor.REPORT_LENGTH, length);
        assertEquals(40_000, UdpHeader.destinationPort(frame, EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH));
        assertEquals(0x0A000002, Ipv4Header.destination(frame, EthernetHeader.LENGTH));
        assertTrue(StreamControlDescriptor.isValid(frame, PAYLOAD, length - PAYLOAD));
        assertEquals(7, StreamControlDescriptor.nonce(frame, PAYLOAD));
        assertEquals(StreamControlDescriptor.FLAG_FINAL, StreamControlDescriptor.flags(frame, PAYLOAD));
        assertEquals(2, StreamControlDescriptor.a(frame, PAYLOAD), "received");
        assertEquals(13, StreamControlDescriptor.c(frame, PAYLOAD), "expected: highest + 1");
    }
}

package io.pvnet.perf.cli.engine;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.port.pcap.CaptureSpec;
import io.pvnet.engine.port.pcap.PcapPort;
import io.pvnet.ring.event.DeadlineWaitPoint;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The timed work {@code pvnet switch} adds to its sleep for its capture files. */
class SwitchCapturesFlushTest
{
    @TempDir
    Path dir;

    @Test
    void shouldBoundTheSwitchThreadsSleepByTheSoonestStagedCapture()
    {
        final Map<String, CaptureSpec> specs = new LinkedHashMap<>();
        specs.put("vif1.0", CaptureSpec.of(dir.resolve("one.pcapng")));
        specs.put("vif2.0", CaptureSpec.of(dir.resolve("two.pcapng")));
        final SwitchWiring.Captures captures = new SwitchWiring.Captures(specs);
        final PcapPort one = captures.declare("vif1.0");
        final PcapPort two = captures.declare("vif2.0");
        final DeadlineWaitPoint.TimedWork flushes = captures.flushes();
        one.start(specs.get("vif1.0"));
        two.start(specs.get("vif2.0"));
        one.doWork();
        two.doWork();
        assertEquals(Long.MAX_VALUE, flushes.nanosToNextDue(System.nanoTime()), "nothing staged");

        final UnsafeBuffer frame = new UnsafeBuffer(new byte[128]);
        two.onFrame(frame, 0, 60, FrameMetadata.of(0, 0, 0));
        two.doWork(); // written at once after a quiet spell
        two.onFrame(frame, 0, 60, FrameMetadata.of(0, 0, 0)); // staged until the interval has passed
        final long dueNs = flushes.nanosToNextDue(System.nanoTime());
        assertTrue(dueNs <= PcapPort.FLUSH_INTERVAL_NS, "due in " + dueNs + " ns");
        one.onClose();
        two.onClose();
    }
}

package io.pvnet.perf.vif;

import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AeronIpcBaselineTest
{
    @Test
    void shouldCarryFramesOfEverySizeThroughTwoIpcHopsAndDeleteTheDriverDirectory() throws Exception
    {
        for (final int size : new int[] {64, 65_536})
        {
            final Path directory;
            try (AeronIpcBaseline baseline = new AeronIpcBaseline(size, 8, YieldingIdleStrategy::new))
            {
                baseline.start(false);
                directory = baseline.directory();
                assertTrue(Files.isDirectory(directory), directory.toString());
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (baseline.received() < 1_000 && System.nanoTime() < deadline)
                {
                    Thread.sleep(5);
                }
                baseline.stop();
                assertTrue(baseline.received() >= 1_000, size + " B: received " + baseline.received());
                // every frame that came back was timed (each assembled message once, not once per fragment)
                assertEquals(baseline.received(), baseline.latency().getTotalCount(), size + " B");
            }
            assertFalse(Files.exists(directory), "the driver's directory is deleted on close: " + directory);
        }
    }
}

package io.pvnet.ring.region;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessStartTest
{
    @TempDir
    Path dir;

    @Test
    void shouldTellALiveProcessFromAnotherWithItsPidByStartTimeEvenWhenItsNameHoldsParenthesesAndSpaces() throws Exception
    {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "no /proc here");
        // comm "x) 1 2 (y": a reader splitting the stat line at spaces from its start reads the wrong fields
        final Path sleep = Path.of("/bin/sleep").toRealPath();
        final Path oddName = Files.createSymbolicLink(dir.resolve("x) 1 2 (y"), sleep);
        final Process child = new ProcessBuilder(oddName.toString(), "30").start();
        try
        {
            final long self = ProcessStart.self();
            final long start = ProcessStart.read(child.pid());
            assertTrue(self > 0, "this process's start time: " + self);
            assertTrue(start >= self, "the child started after this JVM: " + start + " < " + self);
            // clock ticks (USER_HZ, 100 a second) since boot: with the boot time, the start instant Java reports
            final long bootSeconds = Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.startsWith("btime "))
                .mapToLong(l -> Long.parseLong(l.substring(6).trim())).findFirst().orElseThrow();
            final long startMs = child.info().startInstant().orElseThrow().toEpochMilli();
            assertTrue(Math.abs(bootSeconds * 1000 + start * 10 - startMs) < 2_000,
                "starttime, not another field: " + start + " ticks, started at " + startMs);
            assertEquals(start, ProcessStart.read(child.pid()), "the kernel's integer: the same on every read");

            assertTrue(ProcessStart.alive(child.pid(), start));
            assertTrue(ProcessStart.alive(child.pid(), ProcessStart.UNKNOWN));
            assertFalse(ProcessStart.alive(child.pid(), start + 1), "its pid with another start time: another process");
        }
        finally
        {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(-1, ProcessStart.read(child.pid()), "gone once reaped");
        assertFalse(ProcessStart.alive(child.pid(), ProcessStart.UNKNOWN));
        assertFalse(ProcessStart.alive(0, ProcessStart.UNKNOWN));
        assertFalse(ProcessStart.alive(RegionDescriptor.SECTION_PID_MASK, ProcessStart.UNKNOWN), "above any pid_max");
    }
}

package io.pvnet.perf.cli.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A switch told to stop while it is still starting a thousand vifs stops soon and removes what it created. */
class SwitchStartStopProcessTest
{
    @TempDir
    Path dir;

    @Test
    void shouldStopPromptlyAndRemoveItsFilesWhenSignalledWhileStarting() throws Exception
    {
        final Path region = dir.resolve("r");
        try (CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "1024"))
        {
            // the checksum kernel is chosen as the first vif's offload is made: the start is under way
            assertTrue(sw.awaitOutput("checksum kernel", 20_000), sw.output());
            final long start = System.nanoTime();
            final int exit = sw.terminate(20_000);
            final long stopMs = (System.nanoTime() - start) / 1_000_000;
            System.out.println("switch --vifs 1024 signalled while starting: exit " + exit + " after " + stopMs + " ms");
            assertTrue(exit >= 0, sw.output());
            // before: the start went on for up to 10 s (the shutdown hook's limit) and the JVM left the status file
            assertTrue(stopMs < 8_000, stopMs + " ms: " + sw.output());
            assertTrue(sw.output().contains("stopped while starting") || sw.output().contains("pvnet switch: stopped;"),
                sw.output());
            assertFalse(sw.output().contains("Exception"), sw.output());
            assertFalse(Files.exists(region), "the status file is removed");
            assertFalse(Files.exists(RegionArgument.controlSocket(region)), "the control socket is removed");
        }
    }
}

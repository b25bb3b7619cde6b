package io.pvnet.perf.cli;

import io.pvnet.testsupport.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checksum kernel's start-up log line: not printed by every command (a user of stat, ifconfig or vif-run has no
 * use for it), shown with {@code PVNET_DEBUG=1}; the checksum module's warnings always show.
 */
class StartUpLogLinesTest
{
    @TempDir
    Path dir;

    @AfterEach
    void restore()
    {
        java.util.logging.Logger.getLogger("io.pvnet.checksum").setLevel(null);
    }

    @Test
    void shouldKeepTheChecksumKernelsInfoLineForDebuggingAndItsWarningsAlways()
    {
        final System.Logger log = System.getLogger("io.pvnet.checksum");
        PvnetMain.configureLogging(false);
        assertFalse(log.isLoggable(System.Logger.Level.INFO));
        assertTrue(log.isLoggable(System.Logger.Level.WARNING));
        PvnetMain.configureLogging(true);
        assertTrue(log.isLoggable(System.Logger.Level.INFO));
    }

    private String run(final boolean debug) throws Exception
    {
        // vif-run checksums its frames: the kernel is chosen, and its line logged, in the first second
        final ProcessBuilder builder = ChildJvm.of(PvnetMain.class)
            .arguments("vif-run", dir.resolve(debug ? "debug" : "quiet").toString(), "--seconds", "1").processBuilder();
        if (debug)
        {
            builder.environment().put("PVNET_DEBUG", "1");
        }
        else
        {
            builder.environment().remove("PVNET_DEBUG");
        }
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("vif-run: "), output);
        return output;
    }

    @Test
    void shouldNotPrintTheChecksumKernelOnACommandUnlessDebugging() throws Exception
    {
        assertFalse(run(false).contains("checksum kernel"), "quiet by default");
        assertTrue(run(true).contains("INFO io.pvnet.checksum: checksum kernel: "), "shown with PVNET_DEBUG=1");
    }
}

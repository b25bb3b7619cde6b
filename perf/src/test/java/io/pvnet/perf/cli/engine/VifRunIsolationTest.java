package io.pvnet.perf.cli.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vif-run} in its own process keeps its memory as the switch does: a status file of one page at REGION, the
 * counters and settings served on {@code REGION.sock} to {@code stat} and {@code ifconfig}; both files gone at the end.
 */
class VifRunIsolationTest
{
    @TempDir
    Path dir;

    @Test
    void shouldServeStatAndIfconfigOverItsControlSocketWithNothingButAStatusFileAtThePath() throws Exception
    {
        final Path region = dir.resolve("demo");
        final Path socket = dir.resolve("demo.sock");
        try (CommandProcess run = new CommandProcess("vif-run", region.toString(), "--seconds", "6", "--size", "200"))
        {
            assertTrue(run.awaitOutput("try: pvnet stat", 30_000), run.output());
            assertEquals(4096, Files.size(region), "a status file, no memory of the vifs");
            assertTrue(Files.exists(socket));
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            assertEquals(0, StatCommand.run(out, out, region.toString(), "--count", "2", "--interval", "300", "--vif",
                "vif2.0", "--filter", "tx-packets"), bytes.toString(StandardCharsets.UTF_8));
            final String stat = bytes.toString(StandardCharsets.UTF_8);
            // named by what its status file records it is, not as a switch
            assertTrue(stat.contains(" vif-run pid " + run.pid() + " control ") && stat.contains("vif2.0 tx-packets"),
                stat);
            assertFalse(stat.contains("switch"), stat);
            assertTrue(stat.matches("(?s).*vif2\\.0 tx-packets.*[1-9][0-9,]*/s.*"), "frames flowing: " + stat);

            final IfconfigCommand ifconfig = new IfconfigCommand();
            final ByteArrayOutputStream shown = new ByteArrayOutputStream();
            ifconfig.out = new PrintStream(shown, true, StandardCharsets.UTF_8);
            ifconfig.err = ifconfig.out;
            // 200-byte frames over an MTU of 100: vif1.0 drops what guest 1 sends from now on, as oversize
            assertEquals(0, new CommandLine(ifconfig).execute(region.toString(), "vif1.0", "mtu", "100", "-tso"),
                shown.toString(StandardCharsets.UTF_8));
            assertTrue(shown.toString(StandardCharsets.UTF_8).contains("mtu 100"), shown.toString(StandardCharsets.UTF_8));
            assertTrue(run.awaitOutput("Mpps", 30_000) && run.awaitExit(30_000) == 0, run.output());
            // the summary accounts for what guest 1 sent: delivered, dropped by reason, or still on its way
            assertTrue(run.output().matches("(?s).*guest 1 sent [0-9,]+, dropped [1-9][0-9,]* \\(vif1\\.0 oversize [1-9].*"),
                run.output());
        }
        assertFalse(Files.exists(region), "status file removed");
        assertFalse(Files.exists(socket), "control socket removed");
    }
}

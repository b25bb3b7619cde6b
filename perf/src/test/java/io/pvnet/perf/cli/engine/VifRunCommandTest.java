package io.pvnet.perf.cli.engine;

import io.pvnet.perf.vif.VifRunCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pvnet vif-run}: bad values refused before anything is made; a signal ends it with its summary and no files left. */
class VifRunCommandTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--seconds 0     | --seconds=0 must be >= 1",
        "--seconds -1    | --seconds=-1 must be >= 1",
        "--size 63       | --size=63 must be in 64..65535 bytes",
        "--size 65536    | --size=65536 must be in 64..65535 bytes",
    })
    void shouldRefuseABadValueWithOneLineAndExitCode2(final String arguments, final String expected)
    {
        final Path region = dir.resolve("r");
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final VifRunCommand command = new VifRunCommand();
        command.err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        final String[] words = (region + " " + arguments.trim()).split("\\s+");
        assertEquals(2, new CommandLine(command).execute(words));
        assertEquals("pvnet vif-run: " + expected.trim() + "\n", bytes.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(region), "nothing created");
    }

    @Test
    void shouldPrintItsSummaryAndRemoveItsFilesWhenSignalled() throws Exception
    {
        final Path region = dir.resolve("signalled");
        try (CommandProcess run = new CommandProcess("vif-run", region.toString(), "--size", "200"))
        {
            assertTrue(run.awaitOutput("vif-run: region", 30_000), run.output());
            assertTrue(Files.exists(RegionArgument.controlSocket(region)), run.output());
            run.terminate(20_000);
            // before: the summary from a shutdown hook, but the status file and REGION.sock left behind (a later stat
            // then read "no switch or vif-run listens there")
            assertTrue(run.output().matches("(?s).*vif-run: [0-9.]+ s, vif1\\.0 -> vif2\\.0: .*"), run.output());
            assertFalse(Files.exists(region), "the status file is removed: " + run.output());
            assertFalse(Files.exists(RegionArgument.controlSocket(region)), "the control socket is removed");
        }
    }
}

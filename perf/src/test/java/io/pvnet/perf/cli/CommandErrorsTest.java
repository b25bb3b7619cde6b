package io.pvnet.perf.cli;

import io.pvnet.ring.region.Region;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input to any command gets one clear line (plus a hint for bad options), never a stack trace (issue 13 item 6). */
class CommandErrorsTest
{
    @TempDir
    Path dir;

    private record Result(int exit, String err, String out)
    {
        void assertOneLineMentioning(final String... parts)
        {
            assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace: " + err);
            // the command's own lines (the JVM's and libraries' start-up log records aside)
            assertEquals(1, err.lines().filter(line -> line.startsWith("pvnet ")).count(), "one line: " + err);
            for (final String part : parts)
            {
                assertTrue(err.contains(part), "mentions " + part + ": " + err);
            }
        }
    }

    private static Result execute(final String... args)
    {
        final PrintStream savedErr = System.err;
        final PrintStream savedOut = System.out;
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try
        {
            final int exit = PvnetMain.commandLine().execute(args);
            return new Result(exit, err.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setErr(savedErr);
            System.setOut(savedOut);
        }
    }

    @Test
    void shouldRefuseOffloadOntoItsOwnInputAndKeepTheInput() throws Exception
    {
        final Path file = Files.write(dir.resolve("capture.pcap"), new byte[24_906]);
        final Result result = execute("offload", "--in", file.toString(), "--out", dir.resolve("./capture.pcap").toString());
        assertEquals(1, result.exit());
        result.assertOneLineMentioning("pvnet offload", "same file as --in");
        assertEquals(24_906, Files.size(file));
    }

    @Test
    void shouldReportMissingRegionDirectoryInOneLine()
    {
        final Result result = execute("switch", "--region", "/nonexistent/dir/x", "--vifs", "2");
        assertEquals(1, result.exit());
        result.assertOneLineMentioning("pvnet switch", "/nonexistent/dir", "does not exist");
    }

    @Test
    void shouldReportLiveRegionWithItsOwnerPid()
    {
        final Path path = dir.resolve("live");
        try (Region live = Region.create(path, 1 << 20))
        {
            final Result result = execute("switch", "--region", path.toString(), "--vifs", "2");
            assertEquals(1, result.exit());
            result.assertOneLineMentioning("in use", "creatorPid=" + ProcessHandle.current().pid());
            assertTrue(Files.exists(path), "the live region stays");
        }
    }

    @Test
    void shouldReportBadStatFilterInOneLine()
    {
        final Result result = execute("stat", "some-region", "--filter", "[");
        assertEquals(2, result.exit());
        result.assertOneLineMentioning("pvnet stat", "--filter", "regular expression");
    }

    @Test
    void shouldPrintOneLinePlusHintForBadOptionsNotTheUsage()
    {
        final Result result = execute("switch", "--region", "x", "--vifs", "two");
        assertEquals(2, result.exit());
        assertFalse(result.err().contains("Usage:"), result.err());
        assertTrue(result.err().lines().count() <= 2, result.err());
        assertTrue(result.err().contains("--vifs") && result.err().contains("pvnet switch --help"), result.err());

        final Result unknown = execute("switch", "--region", "x", "--vifs", "2", "--vifz", "2");
        assertEquals(2, unknown.exit());
        assertFalse(unknown.err().contains("Usage:"), unknown.err());
        assertTrue(unknown.err().contains("--vifz"), unknown.err());
    }
}

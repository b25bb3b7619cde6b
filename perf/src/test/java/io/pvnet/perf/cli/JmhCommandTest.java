package io.pvnet.perf.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pvnet jmh --help}, as every pvnet command takes it: JMH's own help, not JMH's parse error. */
class JmhCommandTest
{
    @Test
    void shouldPassHelpToJmhAsItsOwnOptionAndEverythingElseAsItIs()
    {
        assertEquals(List.of("SharedRing", "-h", "-prof", "gc"),
            JmhCommand.jmhArguments(List.of("SharedRing", "--help", "-prof", "gc")));
    }

    @Test
    void shouldPrintJmhsHelpForHelp()
    {
        final PrintStream savedOut = System.out;
        final PrintStream savedErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int exit;
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
            exit = PvnetMain.commandLine().execute("jmh", "--help");
        }
        finally
        {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        final String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, text);
        assertFalse(text.contains("is not a recognized option"), text);
        assertTrue(text.contains("-prof") && text.contains("-wi"), "JMH's options: " + text);
    }
}

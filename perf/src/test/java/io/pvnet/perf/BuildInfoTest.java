package io.pvnet.perf;

import io.pvnet.perf.cli.PvnetMain;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuildInfoTest
{
    @Test
    void shouldCarryTheMavenVersionAndTheCommitOfThisTree() throws Exception
    {
        final BuildInfo build = BuildInfo.current();
        assertTrue(build.version().matches("\\d+\\.\\d+\\.\\d+.*"), build.toString());
        // the build ran git in this tree: the commit is HEAD's (or unknown where there is no git at all)
        final Process git = new ProcessBuilder("git", "rev-parse", "--short=7", "HEAD").redirectErrorStream(true).start();
        final String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (git.waitFor() == 0)
        {
            // also in a linked git worktree (its .git is a file naming the main repository's): its own HEAD
            assertEquals(head, build.commit(), "built from HEAD unless a commit was made since the last build");
        }
        else
        {
            assertEquals("unknown", build.commit());
        }
    }

    @Test
    void shouldPrintVersionAndCommitForDashV()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream saved = System.out;
        final int exit;
        try
        {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            exit = PvnetMain.commandLine().setOut(new java.io.PrintWriter(System.out, true)).execute("-V");
        }
        finally
        {
            System.setOut(saved);
        }
        assertEquals(0, exit);
        final String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("pvnet " + BuildInfo.current().version() + " (commit " + BuildInfo.current().commit()),
            text);
    }
}

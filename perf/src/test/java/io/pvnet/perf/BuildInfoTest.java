package io.pvnet.perf;

import io.pvnet.perf.cli.PvnetMain;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

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
        final Process dirs = new ProcessBuilder("git", "rev-parse", "--git-dir", "--git-common-dir").start();
        final List<String> gitDirs = new String(dirs.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        dirs.waitFor();
        final boolean linkedWorktree = gitDirs.size() == 2 && !gitDirs.get(0).equals(gitDirs.get(1));
        if (git.waitFor() == 0 && !linkedWorktree)
        {
            assertEquals(head, build.commit(), "built from HEAD unless a commit was made since the last build");
        }
        else if (linkedWorktree)
        {
            // git-commit-id reads the main worktree's HEAD in a linked worktree; ./pvnet passes the right one itself
            Assumptions.assumeTrue(build.commit().matches("[0-9a-f]{7}|unknown"), build.commit());
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

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
    void shouldCarryTheMavenVersionAndTheCommitOfThisTreeMarkedDirtyWhenItHasUncommittedChanges() throws Exception
    {
        final BuildInfo build = BuildInfo.current();
        assertTrue(build.version().matches("\\d+\\.\\d+\\.\\d+.*"), build.toString());
        // the build ran git in this tree: HEAD's commit, "-dirty" when a tracked file differs from HEAD (or unknown
        // where there is no git at all); the tests run on the tree just built, so git says now what it said then
        final String head = git("rev-parse", "--short=7", "HEAD");
        if (head != null)
        {
            // status compares contents (a touched file is no change, as for git describe --dirty) and, with
            // GIT_OPTIONAL_LOCKS=0, never writes the index (update-index did, colliding on index.lock with other git runs)
            final String status = git("status", "--porcelain", "-uno");
            final boolean dirty = status != null && !status.isEmpty();
            // also in a linked git worktree (its .git is a file naming the main repository's): its own HEAD
            assertEquals(head + (dirty ? "-dirty" : ""), build.commit(),
                "built from HEAD" + (dirty ? " with uncommitted changes" : "") + " unless a commit or edit came since");
        }
        else
        {
            assertEquals("unknown", build.commit());
        }
    }

    /** @return git's output, or null when it exits non-zero. */
    private static String git(final String... arguments) throws Exception
    {
        final java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("git"));
        command.addAll(java.util.List.of(arguments));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("GIT_OPTIONAL_LOCKS", "0");
        final Process git = builder.start();
        final String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return git.waitFor() == 0 ? out : null;
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

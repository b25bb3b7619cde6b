package io.pvnet.testsupport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetnsSweepTest
{
    @Test
    void shouldDeleteTheNamespacesOfGoneTestJvmsAndKeepThoseOfRunningOnes() throws Exception
    {
        Netns.assumeAvailable();
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final String stale = "pvnet-" + gone.pid() + "-1-sweep";
        final String live = "pvnet-" + ProcessHandle.current().pid() + "-0-sweep";
        Netns.run(10, "ip", "netns", "add", stale).check();
        Netns.run(10, "ip", "netns", "add", live).check();
        try
        {
            final var deleted = Netns.sweepStale();
            assertTrue(deleted.contains(stale), deleted.toString());
            assertFalse(deleted.contains(live), deleted.toString());
            final String left = Netns.run(10, "ip", "netns", "list").check().output();
            assertFalse(left.contains(stale + " ") || left.contains(stale + "\n"), left);
            assertTrue(left.contains(live), left);
        }
        finally
        {
            Netns.run(10, "ip", "netns", "del", stale);
            Netns.run(10, "ip", "netns", "del", live);
        }
    }
}

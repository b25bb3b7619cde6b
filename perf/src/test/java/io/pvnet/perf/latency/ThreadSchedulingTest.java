package io.pvnet.perf.latency;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadSchedulingTest
{
    @Test
    void listsAThreadStartedBetweenSamplesAndLeavesOutThoseBelowTheThreshold() throws InterruptedException
    {
        final ThreadScheduling scheduling = new ThreadScheduling();
        scheduling.sample();
        final Thread spinner = Thread.ofPlatform().name("sched-test-spin").start(() ->
        {
            final long endNs = System.nanoTime() + 50_000_000L;
            while (System.nanoTime() - endNs < 0)
            {
                scheduling.hashCode();
            }
        });
        Thread.sleep(20);
        scheduling.sample();
        spinner.join();

        final String all = scheduling.report(0);
        if (all.contains("no data"))
        {
            return; // not Linux: nothing to check
        }
        assertTrue(all.contains("sched-test-spin"), all);
        assertTrue(scheduling.report(Long.MAX_VALUE).contains("no thread waited"), scheduling.report(Long.MAX_VALUE));
        // the machine's line: CPU time outside this process, in whole ms
        assertTrue(all.matches("(?s).*CPU time outside this process in that period: -?\\d+ ms .*steal \\d+ ms.*"), all);
    }
}

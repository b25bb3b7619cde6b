package io.pvnet.perf.latency;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadSchedulingTest
{
    @Test
    void listsAThreadStartedBetweenSamplesAndLeavesOutThoseBelowTheThreshold() throws InterruptedException
    {
        final ThreadScheduling scheduling = new ThreadScheduling();
        scheduling.sample();
        // the spinner runs until the second sample is taken (not for a fixed time: on a loaded machine this thread
        // may be descheduled longer than any fixed spin, and a thread that has ended is not in the sample)
        final AtomicBoolean sampled = new AtomicBoolean();
        final CountDownLatch spinning = new CountDownLatch(1);
        final Thread spinner = Thread.ofPlatform().name("sched-test-spin").start(() ->
        {
            spinning.countDown();
            final long giveUpNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!sampled.get() && System.nanoTime() - giveUpNs < 0)
            {
                scheduling.hashCode();
            }
        });
        assertTrue(spinning.await(30, TimeUnit.SECONDS), "the spinner started");
        Thread.sleep(20);
        scheduling.sample();
        sampled.set(true);
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

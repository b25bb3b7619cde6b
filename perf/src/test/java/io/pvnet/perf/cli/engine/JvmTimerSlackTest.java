package io.pvnet.perf.cli.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link JvmTimerSlack} on this test JVM: the three timer-polling JVM threads get the long slack, and no other thread's
 * slack changes (the VM Thread's safepoint back-off and this thread's own timed sleeps keep theirs).
 */
class JvmTimerSlackTest
{
    @Test
    void shouldGiveOnlyTheJvmsTimerPollingThreadsTheLongSlack() throws IOException
    {
        final Map<String, Long> before = slackByThread();
        final int set = JvmTimerSlack.apply();
        assumeTrue(set > 0, "setting another thread's timer slack needs CAP_SYS_NICE, which this process lacks");
        final Map<String, Long> after = slackByThread();
        int polling = 0;
        for (final Map.Entry<String, Long> thread : after.entrySet())
        {
            final String name = thread.getKey().substring(thread.getKey().indexOf(' ') + 1);
            if (name.startsWith("VM Periodic Tas") || name.startsWith("C1 CompilerThre") ||
                name.startsWith("C2 CompilerThre"))
            {
                assertEquals(JvmTimerSlack.SLACK_NS, thread.getValue(), thread.getKey());
                polling++;
            }
            else if (before.containsKey(thread.getKey()))
            {
                assertEquals(before.get(thread.getKey()), thread.getValue(), "unchanged: " + thread.getKey());
            }
        }
        assertEquals(set, polling, "every thread set is a timer-polling one: " + after);
        assertTrue(after.keySet().stream().anyMatch(key -> key.endsWith(" VM Thread")), "the VM Thread was seen: " + after);
        assertTrue(after.keySet().stream().anyMatch(key -> key.contains(" VM Periodic Tas")), after.toString());
    }

    /** {@return "TID NAME" -> timer slack (ns) of every thread of this process} */
    private static Map<String, Long> slackByThread() throws IOException
    {
        final Map<String, Long> slack = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                final String tid = task.getFileName().toString();
                try
                {
                    final String name = Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII).strip();
                    final String value = Files.readString(Path.of("/proc", tid, "timerslack_ns"), StandardCharsets.US_ASCII);
                    slack.put(tid + " " + name, Long.parseLong(value.strip()));
                }
                catch (final IOException ex)
                {
                    // the thread ended meanwhile
                }
            }
        }
        return slack;
    }
}

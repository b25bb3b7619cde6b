package io.pvnet.perf.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link WakeTail}: the slowest round trips, split into the time each stage took since the one before it. */
class WakeTailTest
{
    private static final String[] STAGES = {"wake.kick", "wake.host", "wake.answered"};

    @Test
    void shouldNameTheStageThatCarriedEachSlowRoundTrip()
    {
        final WakeTail tail = new WakeTail(STAGES);
        tail.record(10_000, new long[] {3_000, 6_000, 8_000}); // fast: not printed
        tail.record(100_000, new long[] {5_000, 80_000, 85_000}); // the host's wake-up took 75 us
        // the host preempted the kicking guest (woke at 10 us, the kick returned at 50 us): the kick carried it
        tail.record(60_000, new long[] {50_000, 10_000, 55_000});
        tail.record(90_000, new long[] {4_000, 9_000, 12_000}); // the guest saw the answer 78 us late
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        final int[] longest = tail.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), "wake.rtt", 75);

        assertArrayEquals(new int[] {1, 1, 0, 1}, longest);
        final String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("wake.rtt tail: slowest 3 of 4 round trips"), printed);
        assertTrue(printed.contains("  100.0 |       5.0      75.0       5.0      15.0"), printed);
        assertTrue(printed.contains("   60.0 |      40.0      10.0       5.0       5.0"), printed);
        assertTrue(printed.contains("wake.rtt tail: longest part wake.kick 1 wake.host 1 wake.answered 0 seen 1"), printed);
        assertTrue(!printed.contains("   10.0 |"), printed);
    }

    @Test
    void shouldShowAStageNotReachedAndForgetTheWarmUp()
    {
        final WakeTail tail = new WakeTail(STAGES);
        tail.record(1_000_000, new long[] {1_000, 2_000, 3_000});
        tail.reset();
        tail.record(40_000, new long[] {2_000, 0, 0}); // the host never slept: no host stage
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        final int[] longest = tail.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), "wake.rtt", 1);

        assertEquals(1, tail.count());
        assertArrayEquals(new int[] {0, 0, 0, 1}, longest);
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("   40.0 |       2.0         -         -      38.0"),
            bytes.toString(StandardCharsets.UTF_8));
    }
}

package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.ring.event.IdleMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchOptionsTest
{
    @Test
    void shouldGiveScenarioDefaultsWhenNothingChosen()
    {
        final BenchOptions options = BenchOptions.defaults().forScenario();
        assertArrayEquals(new int[] {64, 1500}, options.sizes(64, 1500));
        assertEquals(128, options.size(128));
        assertTrue(options.tso(true));
        assertEquals(3, options.vifs(3));
        assertEquals(32, options.batch(32));
        assertEquals(IdleMode.YIELD, options.idle(IdleMode.YIELD));
        assertEquals(BenchOptions.Threading.SHARED, options.threading(BenchOptions.Threading.SHARED));
        assertFalse(options.xproc());
        assertEquals(List.of(), options.ignored());
        assertEquals("", options.toString());
    }

    @Test
    void shouldGiveUserChoicesOverDefaults()
    {
        final BenchOptions options = BenchOptions.builder().sizes(List.of(9000, 64)).tso(false).vifs(4).batch(8)
            .idle(IdleMode.PARK).threading(BenchOptions.Threading.DEDICATED).xproc(true).build().forScenario();
        assertArrayEquals(new int[] {9000, 64}, options.sizes(1500));
        assertEquals(9000, options.size(1500));
        assertFalse(options.tso(true));
        assertEquals(4, options.vifs(1));
        assertEquals(8, options.batch(32));
        assertEquals(IdleMode.PARK, options.idle(IdleMode.BUSY_SPIN));
        assertEquals(BenchOptions.Threading.DEDICATED, options.threading(BenchOptions.Threading.SHARED));
        assertTrue(options.xproc());
        assertEquals("--size 9000,64 --tso off --vifs 4 --batch 8 --idle park --threading dedicated --xproc", options.toString());
    }

    @Test
    void shouldTakeAListOfQueueCountsAndRefuseBadOnes()
    {
        assertArrayEquals(new int[] {1}, BenchOptions.defaults().forScenario().queues(1));
        final BenchOptions options = BenchOptions.builder().queues(List.of(1, 2)).build().forScenario();
        assertTrue(options.isSet(BenchOptions.Choice.QUEUES));
        assertArrayEquals(new int[] {1, 2}, options.queues(1));
        assertEquals("--queues 1,2", options.describe(BenchOptions.Choice.QUEUES));
        assertEquals(List.of(), options.ignored());
        assertEquals("--queues=0 must be between 1 and 16", org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> BenchOptions.builder().queues(List.of(0)).build()).getMessage());
        assertEquals("--queues=17 must be between 1 and 16", org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> BenchOptions.builder().queues(List.of(1, 17)).build()).getMessage());
        assertEquals("--queues=2,2 names a count twice", org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> BenchOptions.builder().queues(List.of(2, 2)).build()).getMessage());
    }

    @Test
    void shouldListChoicesTheScenarioNeverRead()
    {
        final BenchOptions all = BenchOptions.builder().sizes(64).tso(true).batch(16).build();
        final BenchOptions scenario = all.forScenario();
        scenario.batch(32);
        scenario.vifs(1); // not chosen by the user: reading it is not worth a note
        assertEquals(List.of("--size 64", "--tso on"), scenario.ignored());
        // a fresh copy for the next scenario starts with nothing read
        assertEquals(List.of("--size 64", "--tso on", "--batch 16"), all.forScenario().ignored());
    }

    @Test
    void shouldNoteWhenOnlyTheFirstOfSeveralSizesWasUsed()
    {
        final BenchOptions all = BenchOptions.builder().sizes(64, 1500).build();
        final BenchOptions first = all.forScenario();
        first.size(128);
        assertTrue(first.onlyFirstSizeRead());
        assertEquals(List.of(), first.ignored());

        final BenchOptions both = all.forScenario();
        both.size(128);
        both.sizes(128);
        assertFalse(both.onlyFirstSizeRead());

        final BenchOptions single = BenchOptions.builder().sizes(64).build().forScenario();
        single.size(128);
        assertFalse(single.onlyFirstSizeRead(), "one size given: nothing was left out");
    }

    @Test
    void shouldNotLetScenariosChangeTheSizesOfOthers()
    {
        final BenchOptions options = BenchOptions.builder().sizes(64, 1500).build();
        options.forScenario().sizes()[0] = 1;
        assertArrayEquals(new int[] {64, 1500}, options.forScenario().sizes());
    }

    @Test
    void shouldRejectOutOfRangeValuesNamingOptionAndValue()
    {
        assertMessage("--size=0 must be between 1 and 65536 bytes", () -> BenchOptions.builder().sizes(64, 0).build());
        assertMessage("--size=65537 must be between 1 and 65536 bytes", () -> BenchOptions.builder().sizes(65537).build());
        assertMessage("--size=64,1500,64 names a size twice", () -> BenchOptions.builder().sizes(64, 1500, 64).build());
        assertMessage("--vifs=0 must be between 1 and " + BenchOptions.MAX_VIFS, () -> BenchOptions.builder().vifs(0).build());
        final int tooMany = BenchOptions.MAX_VIFS + 1;
        assertMessage("--vifs=" + tooMany + " must be between 1 and " + BenchOptions.MAX_VIFS,
            () -> BenchOptions.builder().vifs(tooMany).build());
        assertMessage("--batch=-3 must be between 1 and 65536", () -> BenchOptions.builder().batch(-3).build());
        assertEquals(65_536, BenchOptions.builder().sizes(65_536).batch(65_536).build().batch(1));
    }

    @Test
    void shouldParseThreadingModes()
    {
        assertEquals(BenchOptions.Threading.SHARED, BenchOptions.Threading.parse("Shared"));
        assertEquals(BenchOptions.Threading.DEDICATED, BenchOptions.Threading.parse(" dedicated "));
        assertMessage("--threading=invoker is not one of dedicated, shared", () -> BenchOptions.Threading.parse("invoker"));
    }

    @Test
    void shouldGiveEachThreadItsOwnAgronaStrategy()
    {
        final IdleMode idle = BenchOptions.builder().idle(IdleMode.BACKOFF).build().idle(IdleMode.BUSY_SPIN);
        assertInstanceOf(BackoffIdleStrategy.class, idle.newIdleStrategy());
        assertFalse(idle.newIdleStrategy() == idle.newIdleStrategy(), "backoff keeps state per thread");
    }

    private static void assertMessage(final String expected, final org.junit.jupiter.api.function.Executable executable)
    {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, executable).getMessage());
    }
}

package io.pvnet.perf.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The order and arithmetic of a figure measured against its twin in alternating slices. */
class AlternatingSlicesTest
{
    @Test
    void shouldAlternateTheFiguresInAbbaBlocks()
    {
        assertArrayEquals(new int[] {0, 1, 1, 0, 0, 1, 1, 0}, AlternatingSlices.order(4));
        assertArrayEquals(new int[] {0, 1, 1, 0}, AlternatingSlices.order(2));
    }

    @Test
    void shouldWarmBothFiguresUncountedFirstThenBrieflyBeforeEachSliceAndSplitTheDuration() throws Exception
    {
        final List<String> calls = new ArrayList<>();
        AlternatingSlices.run((figure, warmupMs, runMs) ->
        {
            calls.add(figure + ":" + warmupMs + "/" + runMs);
            return new AlternatingSlices.Slice(1, 1, new Histogram(3));
        }, 1_600, 3_000);
        assertEquals(List.of("0:1600/0", "1:1600/0", "0:400/750", "1:400/750", "1:400/750", "0:400/750", "0:400/750",
            "1:400/750", "1:400/750", "0:400/750"), calls);
    }

    @Test
    void shouldGiveEachFigureItsSlicesCountsOverTheirSummedTimeAndTheirLatencies() throws Exception
    {
        // A runs at 2 per ms in slices 1 and 4 of each block, 4 per ms in the others (a host changing speed); B at 3
        final int[] slice = {0};
        final AlternatingSlices.Totals[] totals = AlternatingSlices.run((figure, warmupMs, runMs) ->
        {
            if (runMs == 0)
            {
                return new AlternatingSlices.Slice(1_000_000, 1, new Histogram(3)); // a warm-up: must not count
            }
            final int index = slice[0]++;
            final Histogram latency = new Histogram(3);
            latency.recordValue(figure == 0 ? 100 : 1_000);
            final long count = figure == 0 ? (index % 4 == 0 ? 2 : 4) * runMs : 3 * runMs;
            return new AlternatingSlices.Slice(count, runMs * 1_000_000L, latency);
        }, 100, 400);
        assertEquals(3_000.0, totals[0].perSecond(), 1e-9, "(2 + 4 + 2 + 4) / 4 per ms");
        assertEquals(3_000.0, totals[1].perSecond(), 1e-9);
        assertEquals(List.of(2_000.0, 4_000.0, 2_000.0, 4_000.0), totals[0].sliceRates());
        assertEquals(4, totals[0].latency().getTotalCount(), "every slice's latencies");
        assertEquals(100, totals[0].latency().getValueAtPercentile(99), 1);
        assertEquals(1_000, totals[1].latency().getValueAtPercentile(50), 1);
    }
}

package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchResult;
import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WakeRoundTrips#measure} with two fake paths (their round trips instant, their threads' sleep a flag): the
 * order of the round trips and when a frame may go.
 */
class WakeRoundTripsTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldWarmEachPathUpAloneThenAlternateTheTwoRoundTripByRoundTrip()
    {
        final List<String> order = new ArrayList<>();
        final FakePath a = new FakePath("a", order, 0);
        final FakePath b = new FakePath("b", order, 0);
        measure(context(Duration.ofMillis(40)), a, b);

        // each path's fast warm-up alone (at least 20,000 round trips each: instant here), a's first
        final int firstB = order.indexOf("b");
        assertTrue(firstB >= 20_000, "a's hot warm-up: " + firstB);
        assertFalse(order.subList(0, firstB).contains("b"));
        int gapped = firstB;
        while (order.get(gapped).equals("b"))
        {
            gapped++;
        }
        assertTrue(gapped - firstB >= 20_000, "b's hot warm-up: " + (gapped - firstB));
        // then the gapped warm-up and the measurement: a, b, a, b, ...
        for (int i = gapped; i < order.size(); i++)
        {
            assertEquals((i - gapped) % 2 == 0 ? "a" : "b", order.get(i), "round trip " + i + " of " + order.size());
        }
        // both measured, as many round trips each (but the last turn), for both paths' time: 2 x 40 ms (the last
        // turn starts its gap before the end; a turn takes 2 ms, or up to 12 ms with a settle on a loaded machine)
        final long measuredA = a.histogram.getTotalCount();
        final long measuredB = b.histogram.getTotalCount();
        assertTrue(measuredA - measuredB == 0 || measuredA - measuredB == 1, measuredA + " and " + measuredB);
        assertTrue(measuredB > 0, "b measured " + measuredB);
        final long measuredNs = Math.max(a.lastRoundTripNs, b.lastRoundTripNs) - a.measuredFromNs;
        assertTrue(measuredNs > 60 * MS && measuredNs < 95 * MS, "measured for " + measuredNs + " ns");
        assertEquals(1, a.measuredStarts);
        assertEquals(1, b.measuredStarts);
    }

    /**
     * Each fake path's threads stay awake 3 ms after its round trip, longer than the 2 ms gap: a round trip sent after
     * the gap alone would find the other path's threads still in their spin window.
     */
    @Test
    void shouldSendNoFrameWhileAThreadOfEitherPathIsStillAwake()
    {
        final List<String> order = new ArrayList<>();
        final FakePath a = new FakePath("a", order, 3 * MS);
        final FakePath b = new FakePath("b", order, 3 * MS);
        a.other = b;
        b.other = a;
        final ScenarioContext context = context(Duration.ofMillis(30));
        measure(context, a, b);

        assertTrue(a.histogram.getTotalCount() > 5 && b.histogram.getTotalCount() > 5, order.size() + " round trips");
        assertEquals(0, a.sentWhileAwake, "a's frames sent while a thread of a or b was awake");
        assertEquals(0, b.sentWhileAwake, "b's frames sent while a thread of a or b was awake");
        assertFalse(figures(context).keySet().stream().anyMatch(name -> name.endsWith(".awake")), figures(context)
            .toString());
    }

    /** Threads that never fall asleep (20 ms wait each round trip) count against every path whose frame waited. */
    @Test
    void shouldCountTheOtherPathsSleeplessThreadsAsAwakeRoundTrips()
    {
        final List<String> order = new ArrayList<>();
        final FakePath a = new FakePath("a", order, 0);
        final FakePath b = new FakePath("b", order, 0);
        b.awakeWhenMeasured = true;
        final ScenarioContext context = context(Duration.ofMillis(25));
        measure(context, a, b);

        final Map<String, Double> figures = figures(context);
        assertEquals(a.histogram.getTotalCount(), figures.getOrDefault("a.awake", 0.0), 0.0, figures.toString());
        assertEquals(b.histogram.getTotalCount(), figures.getOrDefault("b.awake", 0.0), 0.0, figures.toString());
        assertTrue(a.histogram.getTotalCount() >= 1, figures.toString());
    }

    private static ScenarioContext context(final Duration duration)
    {
        // warm-up: each path's fast one (instant round trips: 20,000 each), then 20 ms of gapped round trips
        return new ScenarioContext("wake", duration, Duration.ofMillis(20), new ProgressPrinter(System.out, false));
    }

    private static void measure(final ScenarioContext context, final FakePath a, final FakePath b)
    {
        try
        {
            WakeRoundTrips.measure(context, a.path(), b.path());
        }
        catch (final Exception e)
        {
            throw new AssertionError(e);
        }
    }

    private static Map<String, Double> figures(final ScenarioContext context)
    {
        return context.results().stream().collect(Collectors.toMap(BenchResult::name, BenchResult::value));
    }

    /** A path whose round trip is instant and whose threads are awake for {@code awakeNs} after it. */
    private static final class FakePath
    {
        private final String name;
        private final List<String> order;
        private final long awakeNs;
        private final Histogram histogram = new Histogram(WakeRoundTrips.TIMEOUT_NS, 3);
        private FakePath other;
        private long lastRoundTripNs;
        private boolean measured;
        private boolean awakeWhenMeasured;
        private int measuredStarts;
        private long measuredFromNs;
        private int sentWhileAwake;

        FakePath(final String name, final List<String> order, final long awakeNs)
        {
            this.name = name;
            this.order = order;
            this.awakeNs = awakeNs;
        }

        WakeRoundTrips.Path path()
        {
            return new WakeRoundTrips.Path(name, histogram, this::startMeasured, this::asleep, this::roundTrip);
        }

        private void startMeasured()
        {
            measuredStarts++;
            measured = true;
            measuredFromNs = System.nanoTime();
        }

        private boolean asleep()
        {
            // the fast warm-up sends as soon as a path sleeps: the spin windows only from the measurement on
            return !(measured && awakeWhenMeasured) &&
                (!measured || lastRoundTripNs == 0 || System.nanoTime() - lastRoundTripNs >= awakeNs);
        }

        private long roundTrip()
        {
            if (!asleep() || (other != null && !other.asleep()))
            {
                sentWhileAwake++;
            }
            order.add(name);
            lastRoundTripNs = System.nanoTime();
            return 1_000;
        }
    }
}

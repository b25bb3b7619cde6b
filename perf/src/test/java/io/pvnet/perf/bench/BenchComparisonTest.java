package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchRatio;
import io.pvnet.perf.harness.BenchResult;
import io.pvnet.perf.bench.BenchComparison.Direction;
import io.pvnet.perf.bench.BenchComparison.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchComparisonTest
{
    @Test
    void shouldJudgeDirectionFromUnit()
    {
        assertEquals(Direction.HIGHER_IS_BETTER, Direction.of("Mframes/s"));
        assertEquals(Direction.HIGHER_IS_BETTER, Direction.of("Gbit/s"));
        assertEquals(Direction.HIGHER_IS_BETTER, Direction.of("Mpps"));
        assertEquals(Direction.HIGHER_IS_BETTER, Direction.of("B/cycle"));
        assertEquals(Direction.LOWER_IS_BETTER, Direction.of("ns"));
        assertEquals(Direction.LOWER_IS_BETTER, Direction.of("µs"));
        assertEquals(Direction.LOWER_IS_BETTER, Direction.of("B/op"));
        assertEquals(Direction.LOWER_IS_BETTER, Direction.of("cycles/B"));
        assertEquals(Direction.UNKNOWN, Direction.of("frames"));
    }

    @Test
    void shouldComputeRatioPerFigureAndMarkRegressionsByDirection()
    {
        final List<BenchResult> before = List.of(
            new BenchResult("ring", "pvnet.batch32", 40.0, "Mframes/s"),
            new BenchResult("ring", "pvnet.batch1", 10.0, "Mframes/s"),
            new BenchResult("ring-latency", "pvnet.rtt.p50", 200.0, "ns"),
            new BenchResult("ring-latency", "pvnet.rtt.p99", 1000.0, "ns"),
            new BenchResult("ring", "gone", 1.0, "Mframes/s"),
            new BenchResult("ring", "count", 5.0, "frames"),
            new BenchResult("ring", "renamed.unit", 5.0, "Mframes/s"));
        final List<BenchResult> now = List.of(
            new BenchResult("ring", "pvnet.batch32", 30.0, "Mframes/s"),  // 0.75x: throughput down -> regression
            new BenchResult("ring", "pvnet.batch1", 10.5, "Mframes/s"),   // +5%: within 10%
            new BenchResult("ring-latency", "pvnet.rtt.p50", 300.0, "ns"), // 1.5x time -> regression
            new BenchResult("ring-latency", "pvnet.rtt.p99", 500.0, "ns"), // 0.5x time -> better
            new BenchResult("ring", "count", 50.0, "frames"),
            new BenchResult("ring", "renamed.unit", 5.0, "Gbit/s"),
            new BenchResult("ring", "fresh", 2.0, "Mframes/s"));
        final BenchComparison comparison = BenchComparison.of(now, before, 10);
        final List<BenchComparison.Row> rows = comparison.rows();
        assertEquals(8, rows.size());
        assertRow(rows.get(0), "pvnet.batch32", 0.75, Verdict.REGRESSION);
        assertRow(rows.get(1), "pvnet.batch1", 1.05, Verdict.SAME);
        assertRow(rows.get(2), "pvnet.rtt.p50", 1.5, Verdict.REGRESSION);
        assertRow(rows.get(3), "pvnet.rtt.p99", 0.5, Verdict.BETTER);
        assertRow(rows.get(4), "count", 10.0, Verdict.CHANGED);
        assertEquals(Verdict.UNIT_CHANGED, rows.get(5).verdict());
        assertEquals(Verdict.MISSING_BEFORE, rows.get(6).verdict());
        assertEquals("fresh", rows.get(6).name());
        assertEquals(Verdict.MISSING_NOW, rows.get(7).verdict());
        assertEquals("gone", rows.get(7).name());
        assertEquals(1.0, rows.get(7).before());
        assertEquals(2, comparison.regressions().size());

        final String text = comparison.format("this run", "earlier");
        assertTrue(text.contains("  pvnet.batch32") && text.contains("0.75x") && text.contains("-25.0%") &&
            text.contains("<<< REGRESSION"), text);
        assertTrue(text.contains("missing in this run") && text.contains("new: missing in the earlier run"), text);
        assertTrue(text.endsWith("2 REGRESSION(S) beyond 10%: ring pvnet.batch32 ring-latency pvnet.rtt.p50\n"), text);
    }

    @Test
    void shouldSummariseScenariosNotRunThisTimeInOneLine()
    {
        final List<BenchResult> before = List.of(
            new BenchResult("ring", "pvnet.batch32", 40.0, "Mframes/s"),
            new BenchResult("ring", "jctools.batch32", 40.0, "Mframes/s"),
            new BenchResult("checksum", "vector.1500", 20.0, "GB/s"));
        final List<BenchResult> now = List.of(new BenchResult("checksum", "vector.1500", 21.0, "GB/s"));
        final String text = BenchComparison.of(now, before, 10).format("this run", "earlier");
        assertTrue(text.startsWith("checksum"), text);
        assertTrue(!text.contains("pvnet.batch32") && text.contains("not run this time (figures only in the earlier run): ring\n"), text);
        assertEquals("<0.01x", SummaryTable.formatRatio(0.0004));
    }

    @Test
    void shouldJudgePvnetFiguresAgainstRealBaselinesOnlyAndOwnValuesOnlyWhenAsked()
    {
        // pvnet's ring got 3x slower today while the host stayed as fast: both pvnet figures fall, agrona does not
        final List<BenchResult> before = List.of(
            new BenchResult("ring", "pvnet.batch1", 15.0, "Mframes/s"),
            new BenchResult("ring", "pvnet.batch32", 30.0, "Mframes/s"),
            new BenchResult("ring", "agrona.batch32", 10.0, "Mframes/s"));
        final List<BenchResult> now = List.of(
            new BenchResult("ring", "pvnet.batch1", 5.0, "Mframes/s"),
            new BenchResult("ring", "pvnet.batch32", 10.0, "Mframes/s"),
            new BenchResult("ring", "agrona.batch32", 10.0, "Mframes/s"));
        // as the ring scenario declares them: agrona a baseline implementation, pvnet.batch32 shown beside pvnet.batch1
        final List<BenchRatio> nowRatios = List.of(
            new BenchRatio("ring", "pvnet.batch32", "pvnet.batch1", 2.0, false),
            new BenchRatio("ring", "pvnet.batch32", "agrona.batch32", 1.0, true));
        final List<BenchRatio> beforeRatios = List.of(
            new BenchRatio("ring", "pvnet.batch32", "pvnet.batch1", 2.0, false),
            new BenchRatio("ring", "pvnet.batch32", "agrona.batch32", 3.0, true));
        final BenchComparison comparison = BenchComparison.of(now, nowRatios, before, beforeRatios, 10);
        final List<BenchComparison.Row> rows = comparison.rows();
        // pvnet.batch1 has no same-run baseline: shown, not a baseline, but not judged (the host's modes move it alone)
        assertEquals(Verdict.NOT_JUDGED, rows.get(0).verdict(), rows.get(0).toString());
        assertEquals(1.0 / 3, rows.get(0).ratio(), 1e-9, "its change is still shown");
        // pvnet.batch32 by its ratio to agrona, not to pvnet.batch1 (which fell with it and would hide the regression)
        assertEquals("agrona.batch32", rows.get(1).baseline());
        assertEquals(Verdict.REGRESSION, rows.get(1).verdict(), rows.get(1).toString());
        assertEquals(Verdict.BASELINE, rows.get(2).verdict());
        assertEquals(1, comparison.regressions().size());
        final String text = comparison.format("this run", "earlier");
        assertTrue(text.contains("no same-run baseline (not judged)"), text);
        assertTrue(text.contains("1 figure(s) without a same-run baseline shown but not judged") &&
            text.contains("--judge-absolute judges them by their own values"), text);
        assertTrue(text.contains("1 REGRESSION(S) beyond 10%: ring pvnet.batch32"), text);

        // asked to (--judge-absolute): judged by its own value too
        final BenchComparison absolute = BenchComparison.of(now, nowRatios, before, beforeRatios, 10, true);
        assertEquals(Verdict.REGRESSION, absolute.rows().get(0).verdict(), absolute.rows().get(0).toString());
        assertEquals(2, absolute.regressions().size());
        assertTrue(absolute.format("a", "b").contains("judged by their own values (--judge-absolute)"));
    }


    @Test
    void shouldApplyThresholdAtItsEdge()
    {
        assertEquals(Verdict.SAME, BenchComparison.verdict(0.9, Direction.HIGHER_IS_BETTER, 10));
        assertEquals(Verdict.REGRESSION, BenchComparison.verdict(0.899, Direction.HIGHER_IS_BETTER, 10));
        assertEquals(Verdict.REGRESSION, BenchComparison.verdict(1.001, Direction.LOWER_IS_BETTER, 0));
        assertEquals(Verdict.CHANGED, BenchComparison.verdict(Double.NaN, Direction.LOWER_IS_BETTER, 10));
        assertThrows(IllegalArgumentException.class, () -> BenchComparison.of(List.of(), List.of(), -1));
        assertEquals("\nno regression beyond 10%\n", BenchComparison.of(List.of(), List.of(), 10).format("a", "b"));
    }

    private static void assertRow(final BenchComparison.Row row, final String name, final double ratio, final Verdict verdict)
    {
        assertEquals(name, row.name());
        assertEquals(ratio, row.ratio(), 1e-12);
        assertEquals(verdict, row.verdict(), name);
    }
}

package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchRatio;
import io.pvnet.perf.harness.BenchResult;
import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SummaryTableTest
{
    @Test
    void shouldRatioEachImplementationToDeclaredBaselinesOfTheSameMeasure()
    {
        final ScenarioContext context = context("ring");
        context.baseline("jctools");
        context.baseline("agrona");
        context.compare("pvnet.batch32", "pvnet.batch1");
        context.report("pvnet.batch1", 8.0, "Mframes/s");
        context.report("pvnet.batch32", 32.0, "Mframes/s");
        context.report("agrona.batch32", 12.8, "Mframes/s");
        context.report("jctools.batch32", 40.0, "Mframes/s");
        context.report("jctools.batch1", 4.0, "ns"); // another unit: no ratio

        final List<BenchRatio> ratios = context.ratios();
        assertEquals(List.of(
            new BenchRatio("ring", "pvnet.batch32", "pvnet.batch1", 4.0, false), // a pvnet figure beside another
            new BenchRatio("ring", "pvnet.batch32", "jctools.batch32", 0.8),
            new BenchRatio("ring", "pvnet.batch32", "agrona.batch32", 2.5)), ratios);

        final String table = SummaryTable.format(context.results(), ratios);
        final String[] lines = table.split("\n");
        assertEquals("ring               value  unit       vs baseline (same run)", lines[0]);
        assertEquals("  pvnet.batch1     8.000  Mframes/s", lines[1]); // pvnet's own figure, not a baseline
        assertEquals("  pvnet.batch32     32.0  Mframes/s  4.00x pvnet.batch1   0.80x jctools.batch32   2.50x agrona.batch32",
            lines[2]);
        assertEquals("  agrona.batch32    12.8  Mframes/s  baseline", lines[3]);
        assertEquals("  jctools.batch1   4.000  ns", lines[5]);
    }

    @Test
    void shouldUseFiguresNamedBaselineWithoutDeclarationAndGroupByScenario()
    {
        final ScenarioContext latency = context("ring-latency");
        latency.report("pvnet.rtt.p50", 300, "ns");
        latency.report("baseline.rtt.p50", 200, "ns");
        latency.report("pvnet.rtt.p99", 1200, "ns");
        final ScenarioContext checksum = context("checksum");
        checksum.report("vector.1500", 20.5, "GB/s");

        final List<BenchRatio> ratios = latency.ratios();
        assertEquals(List.of(new BenchRatio("ring-latency", "pvnet.rtt.p50", "baseline.rtt.p50", 1.5)), ratios);
        final List<BenchResult> all = new java.util.ArrayList<>(latency.results());
        all.addAll(checksum.results());
        final String table = SummaryTable.format(all, ratios);
        assertTrue(table.contains("  pvnet.rtt.p50     300.0  ns    1.50x baseline.rtt.p50\n"), table);
        assertTrue(table.contains("\n\nchecksum            value  unit\n  vector.1500        20.5  GB/s\n"), table);
        assertEquals("no results\n", SummaryTable.format(List.of()));
    }

    @Test
    void shouldRejectBaselineDeclarationsThatCannotMatch()
    {
        final ScenarioContext context = context("ring");
        assertThrows(IllegalArgumentException.class, () -> context.baseline("jctools.batch32"));
        assertThrows(IllegalArgumentException.class, () -> context.compare("a", "a"));
    }

    @Test
    void shouldFormatValuesAndRatiosReadably()
    {
        assertEquals("1,234,568", SummaryTable.formatValue(1_234_567.8));
        assertEquals("12.3", SummaryTable.formatValue(12.34));
        assertEquals("0.123", SummaryTable.formatValue(0.1234));
        assertEquals("n/a", SummaryTable.formatValue(Double.NaN));
        assertEquals("0.82x", SummaryTable.formatRatio(0.8234));
        assertEquals("12.3x", SummaryTable.formatRatio(12.34));
        assertEquals("150x", SummaryTable.formatRatio(150.4));
    }

    private static ScenarioContext context(final String scenario)
    {
        return new ScenarioContext(scenario, Duration.ofMillis(10), Duration.ZERO, new ProgressPrinter(System.out, false));
    }
}

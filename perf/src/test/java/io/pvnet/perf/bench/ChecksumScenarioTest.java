package io.pvnet.perf.bench;

import io.pvnet.perf.StdoutCapture;
import io.pvnet.perf.checksum.ChecksumScenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --scenario checksum}, shortened: each ratio figure is the ratio of the rates it names, whether or not
 * the C AVX-512 baseline runs (without it the ratios once read 0.000 x: the vector rates were not kept).
 */
class ChecksumScenarioTest
{
    @RegisterExtension
    final StdoutCapture stdout = new StdoutCapture();

    @Test
    void shouldReportEachRatioAsTheRatioOfTheRatesItNames(@TempDir final Path dir) throws Exception
    {
        final Map<String, Double> figures = ScenarioRun.figures(new ChecksumScenario(), dir, "--no-progress",
            "--duration", "0.1", "--warmup", "0.1");
        if (!figures.containsKey("vector.64"))
        {
            assertTrue(stdout.text().contains("jdk.incubator.vector is absent"), stdout.text());
            return;
        }
        assertRatio(figures, "vector/reference.64", "vector.64", "reference.64");
        assertRatio(figures, "vector/reference.65536", "vector.65536", "reference.65536");
        assertRatio(figures, "vector/long.1500", "vector.1500", "long.1500");
    }

    private static void assertRatio(final Map<String, Double> figures, final String ratio, final String over,
        final String under)
    {
        final double expected = figures.get(over) / figures.get(under);
        assertTrue(expected > 0, over + "/" + under + " " + figures);
        assertEquals(expected, figures.get(ratio), expected * 0.01, ratio + " " + figures);
    }
}

package io.pvnet.perf.bench;

import io.pvnet.perf.StdoutCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vif-xproc} through the isolated path (a guest JVM attached over the control socket): its figures. */
class VifXprocScenarioTest
{
    @RegisterExtension
    final StdoutCapture stdout = new StdoutCapture();

    @Test
    void shouldMeasureFramesAndTsoThroughSleepingIsolatedGuestsInASecondJvm(@TempDir final Path dir) throws Exception
    {
        final Map<String, Double> figures = ScenarioRun.figures(new VifXprocScenario(), dir, "--no-progress",
            "--size", "64", "--duration", "0.5", "--warmup", "0.3", "--idle", "adaptive");
        assertEquals(6, figures.size(), figures.toString());
        assertTrue(figures.get("vif-xproc.64") > 0, figures.toString());
        assertTrue(figures.get("vif-xproc.tso") > 0, figures.toString());
        assertTrue(figures.get("vif-xproc.64.p50") > 0 && figures.get("vif-xproc.tso.p99") > 0, figures.toString());
    }
}

package io.pvnet.perf.bench;

import io.pvnet.perf.StdoutCapture;
import io.pvnet.perf.harness.BenchResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
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
        final Path json = dir.resolve("run.json");
        final BenchCommand command = new BenchCommand();
        command.scenarios = List.of(new VifXprocScenario());
        final StringWriter stderr = new StringWriter();
        final int status = new CommandLine(command).setErr(new PrintWriter(stderr, true)).execute("--no-progress",
            "--size", "64", "--duration", "0.5", "--warmup", "0.3", "--idle", "adaptive", "--json", json.toString());
        assertEquals(0, status, stdout.text() + stderr);
        final Map<String, Double> figures = new HashMap<>();
        for (final BenchResult result : BenchJson.read(Files.readString(json)).results())
        {
            figures.put(result.name(), result.value());
        }
        assertEquals(6, figures.size(), figures.toString());
        assertTrue(figures.get("vif-xproc.64") > 0, figures.toString());
        assertTrue(figures.get("vif-xproc.tso") > 0, figures.toString());
        assertTrue(figures.get("vif-xproc.64.p50") > 0 && figures.get("vif-xproc.tso.p99") > 0, figures.toString());
    }
}

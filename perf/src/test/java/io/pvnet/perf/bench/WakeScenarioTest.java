package io.pvnet.perf.bench;

import io.pvnet.perf.StdoutCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --scenario wake}, shortened: the back-to-back warm-up, the gapped round trips and the baselines run,
 * every round trip comes back (no {@code .lost} figure), and the percentiles are those of real round trips.
 */
class WakeScenarioTest
{
    @RegisterExtension
    final StdoutCapture stdout = new StdoutCapture();

    @Test
    void shouldMeasureEveryRoundTripOfTheVifPathAndBothBaselines(@TempDir final Path dir) throws Exception
    {
        final Map<String, Double> figures = ScenarioRun.figures(new WakeScenario(), dir, "--no-progress",
            "--duration", "0.3", "--warmup", "0.4");
        for (final String path : List.of("wake.rtt", "wake.relay.rtt", "baseline.futex1.rtt", "baseline.futex.rtt",
            "baseline.eventfd.rtt"))
        {
            final double p50 = figures.get(path + ".p50");
            final double p99 = figures.get(path + ".p99");
            // a round trip is two wake-ups at least (a few us) and shorter than the 1 s timeout
            assertTrue(p50 > 1 && p50 <= p99 && p99 < 1_000_000, path + " p50=" + p50 + " p99=" + p99);
            assertFalse(figures.containsKey(path + ".lost"), path + " lost " + figures.get(path + ".lost"));
        }
        // where the relay's time goes: A's kick -> host awake -> guest B awake -> echo written, each inside its round trip
        for (final String stage : List.of("wake.relay.kick", "wake.relay.host", "wake.relay.forwarded",
            "wake.relay.echo", "wake.relay.echoed"))
        {
            final Double p50 = figures.get(stage + ".p50");
            assertTrue(p50 != null && p50 > 0 && p50 < figures.get("wake.relay.rtt.p99"), stage + " " + figures);
        }
        assertTrue(figures.get("wake.relay.host.p50") <= figures.get("wake.relay.forwarded.p50"), figures.toString());
        assertTrue(figures.get("wake.relay.host.p50") <= figures.get("wake.relay.echoed.p50"), figures.toString());
        // and the reflecting path's: the guest's kick issued -> host awake -> answer pushed, inside the round trip
        for (final String stage : List.of("wake.kick", "wake.host", "wake.answered"))
        {
            final Double p50 = figures.get(stage + ".p50");
            assertTrue(p50 != null && p50 > 0 && p50 < figures.get("wake.rtt.p99"), stage + " " + figures);
        }
        assertTrue(figures.get("wake.host.p50") <= figures.get("wake.answered.p50"), figures.toString());
        // the one-wake floor of wake.rtt: its sender's kick -> the woken thread back from its sleep, inside the round trip
        for (final String stage : List.of("baseline.futex1.kick", "baseline.futex1.woken"))
        {
            final Double p50 = figures.get(stage + ".p50");
            assertTrue(p50 != null && p50 > 0 && p50 < figures.get("baseline.futex1.rtt.p99"), stage + " " + figures);
        }
        assertTrue(stdout.text().contains("wake.rtt.p50"), stdout.text());
    }

    /**
     * The echo guest B used to be started before B was connected while the harness thread still drove B's
     * negotiation: two threads connecting one frontend, about one run in ten an ArrayIndexOutOfBoundsException from
     * NetfrontTx.free printed as a stack trace by the echo's runner. The echo now takes B over once it is connected
     * (and refuses to start earlier, an error counted as {@code wake.relay.rtt.errors}); agent errors are one line.
     */
    @Test
    void shouldHandGuestBToItsEchoThreadOnlyOnceConnectedAndPrintNoStackTrace(@TempDir final Path dir) throws Exception
    {
        final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream systemErr = System.err;
        final Map<String, Double> figures;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try
        {
            figures = ScenarioRun.figures(new WakeScenario(), dir, "--no-progress", "--duration", "0.2",
                "--warmup", "0.2");
        }
        finally
        {
            System.setErr(systemErr);
        }
        final String printed = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(printed.contains("\tat ") || printed.contains("Exception"), printed);
        for (final Map.Entry<String, Double> figure : figures.entrySet())
        {
            assertFalse(figure.getKey().endsWith(".errors"), figure.getKey() + " = " + figure.getValue());
        }
    }
}

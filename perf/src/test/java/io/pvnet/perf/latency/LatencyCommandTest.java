package io.pvnet.perf.latency;

import io.pvnet.perf.harness.BenchRatio;
import io.pvnet.perf.StdoutCapture;
import io.pvnet.perf.bench.BenchJson;
import io.pvnet.perf.harness.BenchResult;
import io.pvnet.perf.bench.BenchRun;
import io.pvnet.perf.cli.PvnetMain;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyCommandTest
{
    @RegisterExtension
    final StdoutCapture stdout = new StdoutCapture();
    private final StringWriter stderr = new StringWriter();

    @Test
    void shouldWriteTableHgrmLogSvgAndJsonFromOneRun(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("run-a");
        final Path json = dir.resolve("latency.json");
        final LatencyCommand command = new LatencyCommand();
        command.pathFactory = ThreadEchoPath.factory();
        final int exit = new CommandLine(command).setErr(new PrintWriter(stderr, true)).execute(
            "--rate", "20000", "--duration", "1.2", "--warmup", "0.2", "--out", out.toString(), "--json", json.toString(),
            "--breakdown");
        final String text = stdout.text();
        assertEquals(0, exit, text + stderr);

        assertTrue(text.contains("round trip through echo, 64 B frames, 20,000 frames/s scheduled for 1.2 s"), text);
        assertTrue(text.contains("99.999%") && text.contains("max") && text.contains("baseline: plain two-volatile ping-pong p50"), text);
        // measured in two halves, before the path opened and after it closed
        // (on a loaded machine one half may take no samples: then the line says so, and the other half has its p50)
        assertTrue(text.matches("(?s).*baseline halves: p50 [0-9.]+ [nmu]?s before the path run, [0-9.]+ [nmu]?s after it.*")
            || text.matches("(?s).*baseline halves: (p50 [0-9.]+ [nmu]?s|no samples) before the path run, "
                + "(p50 [0-9.]+ [nmu]?s|no samples) after it \\(warning: a half took no samples.*"), text);
        assertTrue(text.contains("send queue") && text.contains("out") && text.contains("back"), text);
        assertTrue(text.contains("  latency echo"), "a progress line per second: " + text);

        final String hgrm = Files.readString(out.resolve("latency.hgrm"));
        assertTrue(hgrm.contains("Value     Percentile TotalCount 1/(1-Percentile)") && hgrm.contains("#[Max     ="), hgrm);

        final Histogram logged = PlotCommand.read(out.resolve("latency.hlog"));
        final BenchRun run = BenchJson.read(Files.readString(json));
        final List<String> names = run.results().stream().map(BenchResult::name).toList();
        assertTrue(names.containsAll(List.of("latency.p50", "latency.p99", "latency.p999", "latency.max", "baseline.rtt.p50")), names.toString());
        // the figures and the interval log describe the same frames: 1.2 s x 20,000, warm-up left out
        assertEquals(24_000, logged.getTotalCount());
        assertEquals(logged.getMaxValue(), value(run, "latency.max"), logged.getMaxValue() * 0.002);
        assertEquals(logged.getValueAtPercentile(50), value(run, "latency.p50"), logged.getValueAtPercentile(50) * 0.002);
        assertTrue(value(run, "baseline.rtt.p50") > 0);
        assertTrue(run.ratios().contains(new io.pvnet.perf.harness.BenchRatio("latency", "latency.p50", "baseline.rtt.p50",
            value(run, "latency.p50") / value(run, "baseline.rtt.p50"))), run.ratios().toString());
        assertTrue(text.contains("tail: p99.9 is "), text);
        assertEquals(0.0, value(run, "latency.lost"));
        assertTrue(text.contains("24,000 scheduled, 24,000 sent") && text.contains("24,000 back, 0 lost"), text);

        final Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(out.resolve("latency.svg").toFile());
        assertEquals(2, svg.getElementsByTagName("polyline").getLength(), "the path and the ping-pong baseline");
        final String html = Files.readString(out.resolve("latency.html"));
        assertTrue(html.contains("<svg ") && html.contains("Round trip by percentile") && html.contains("Breakdown by stage"),
            "a self-contained report beside the SVG");
    }

    @Test
    void shouldMeasureTheMaximumRateFirstAndTimeAtTheGivenFractionOfIt(@TempDir final Path dir) throws Exception
    {
        final Path json = dir.resolve("half.json");
        final LatencyCommand command = new LatencyCommand();
        command.pathFactory = ThreadEchoPath.factory();
        assertEquals(0, new CommandLine(command).setErr(new PrintWriter(stderr, true)).execute("--rate", "50%",
            "--duration", "0.3", "--warmup", "0", "--out", dir.resolve("half").toString(), "--no-baseline", "--no-progress",
            "--idle", "yield", "--json", json.toString()), stdout.text() + stderr);
        final String text = stdout.text();
        final BenchRun run = BenchJson.read(Files.readString(json));
        final double max = value(run, "latency.rate.max");
        final double rate = value(run, "latency.rate");
        assertTrue(max > 1_000, "an echo thread returns far more than 1,000 frames/s: " + max);
        assertEquals(max / 2, rate, max * 1e-9);
        assertTrue(text.contains("maximum rate of path echo: ") && text.contains("timing at 50% of it: "), text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "%,.0f frames/s scheduled for 0.3 s", rate)), text);
        final String log = Files.readString(dir.resolve("half/latency.hlog"));
        assertTrue(log.contains("--rate 50% (") && log.contains("--idle yield"), "the log says how the run was made: " + log);
    }

    @Test
    void shouldPlotSeveralLogsOnOneChart(@TempDir final Path dir) throws Exception
    {
        for (final String name : new String[] {"a", "b"})
        {
            final LatencyCommand command = new LatencyCommand();
            command.pathFactory = ThreadEchoPath.factory();
            final String[] compare = name.equals("b") ? new String[] {"--compare", dir.resolve("a.json").toString()} : new String[0];
            final String[] args = {"--rate", "10000", "--duration", "0.3", "--warmup", "0", "--out", dir.resolve(name).toString(),
                "--no-baseline", "--no-progress", "--json", dir.resolve(name + ".json").toString()};
            assertEquals(0, new CommandLine(command).execute(java.util.stream.Stream.concat(
                java.util.Arrays.stream(args), java.util.Arrays.stream(compare)).toArray(String[]::new)));
        }
        final String compared = stdout.text();
        assertTrue(compared.contains("compared with " + dir.resolve("a.json")) && compared.contains("  latency.p50"), compared);
        final Path svgFile = dir.resolve("both.svg");
        assertEquals(0, PvnetMain.commandLine().setErr(new PrintWriter(stderr, true)).execute("latency", "plot",
            dir.resolve("a/latency.hlog").toString(), dir.resolve("b/latency.hlog").toString(), "--out", svgFile.toString()));
        final Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svgFile.toFile());
        assertEquals(2, svg.getElementsByTagName("polyline").getLength());
        final String text = Files.readString(svgFile);
        assertTrue(text.contains(">a (p50 ") && text.contains(">b (p50 "), "legend names the runs by directory");

        assertEquals(2, PvnetMain.commandLine().setErr(new PrintWriter(stderr, true)).execute("latency", "plot",
            dir.resolve("missing.hlog").toString(), "--out", svgFile.toString()));
        assertTrue(stderr.toString().contains("missing.hlog: no such file"), stderr.toString());
        Files.writeString(dir.resolve("junk.hlog"), "#just a comment\n");
        assertEquals(2, PvnetMain.commandLine().setErr(new PrintWriter(stderr, true)).execute("latency", "plot",
            dir.resolve("junk.hlog").toString(), "--out", svgFile.toString()));
        assertTrue(stderr.toString().contains("holds no round-trip interval histogram"), stderr.toString());
    }

    @Test
    void shouldSayPlainlyWhenAPathIsNotAvailableAndRejectBadOptions(@TempDir final Path dir)
    {
        final CommandLine cli = PvnetMain.commandLine().setErr(new PrintWriter(stderr, true));
        assertEquals(2, cli.execute("latency", "--rate", "150%"));
        assertTrue(stderr.toString().contains("--rate=150% must be a percentage above 0% and at most 100%"), stderr.toString());
        assertEquals(2, cli.execute("latency", "--rate", "fast"));
        assertTrue(stderr.toString().contains("--rate=fast is neither frames per second nor a percentage"), stderr.toString());
        assertEquals(2, cli.execute("latency", "--idle", "sleepy"));
        assertEquals(2, cli.execute("latency", "--path", "tcp"));
        assertTrue(stderr.toString().contains("--path=tcp is not a path; paths: ring, vif, switch, vif-xproc"), stderr.toString());
        assertEquals(2, cli.execute("latency", "--rate", "0"));
        assertTrue(stderr.toString().contains("--rate=0.0 must be > 0"), stderr.toString());
        assertEquals(3, cli.execute("latency", "--path", "vif", "--size", "20", "--out", dir.toString()));
        assertTrue(stderr.toString().contains("path vif needs --size >= 42"), stderr.toString());
        assertEquals(2, cli.execute("latency", "--size", "70000"));
        assertTrue(stderr.toString().contains("--size=70000 must be between 1 and 65536 bytes"), stderr.toString());
        assertEquals(2, cli.execute("latency", "--duration", "0"));
        assertEquals(2, cli.execute("latency", "--pin", "0,0"));
        assertTrue(stderr.toString().contains("--pin=0,0 needs two different CPUs of 0.."), stderr.toString());
        assertEquals(2, cli.execute("latency", "--pin", "first"));
        assertTrue(stderr.toString().contains("--pin=first is not two CPU numbers such as 0,1, 'auto' or 'none'"),
            stderr.toString());
        assertEquals(2, cli.execute("latency", "--json", dir.resolve("missing/x.json").toString()));
        assertTrue(stderr.toString().contains("x.json: directory"), stderr.toString());
        // an --out that cannot be made: refused before measuring, with the reason (it used to fail after the run,
        // with the path alone)
        final Path underAFile = dir.resolve("plain-file").resolve("out");
        assertDoesNotThrow(() -> Files.writeString(dir.resolve("plain-file"), "x"));
        assertEquals(2, cli.execute("latency", "--out", underAFile.toString()));
        assertTrue(stderr.toString().contains("--out=" + underAFile + ": cannot create the directory ("), stderr.toString());
        assertEquals("", stdout.text(), "nothing measured");
        assertTrue(Files.notExists(dir.resolve("latency.hlog")));
    }

    private static double value(final BenchRun run, final String name)
    {
        return run.results().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow().value();
    }
}

package io.pvnet.perf.latency;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./pvnet latency plot A.hlog B.hlog ... --out FILE.svg}: several runs' percentile curves on one chart. */
@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    description = "Draw the percentile curves of one or more interval logs (latency.hlog) on one SVG chart.")
public final class PlotCommand implements Callable<Integer>
{
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "LOG", description = "HdrHistogram interval logs, e.g. runA/latency.hlog.")
    List<Path> logs = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The SVG file to write.")
    Path outFile;

    @Option(names = "--title", paramLabel = "TEXT", defaultValue = "pvnet latency by percentile", description = "Chart title.")
    String title;

    @Option(names = "--linear-y", description = "Linear latency axis (default: logarithmic, so p50 and the tail both show).")
    boolean linearY;

    /** Accepted for scripts written when the axis was linear by default; the axis is logarithmic anyway. */
    @Option(names = "--log-y", hidden = true)
    boolean logY;

    @Override
    public Integer call() throws IOException
    {
        final PrintWriter err = spec.commandLine().getErr();
        final List<PercentilePlot.Series> series = new ArrayList<>();
        for (final Path log : logs)
        {
            try
            {
                series.add(new PercentilePlot.Series(label(log), read(log)));
            }
            catch (final IOException | RuntimeException ex)
            {
                err.println("pvnet latency plot: " + log + ": " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
                err.flush();
                return 2;
            }
        }
        final String plot = PercentilePlot.svg(title, series, !linearY);
        Files.writeString(outFile, plot, StandardCharsets.UTF_8);
        final String name = outFile.getFileName().toString();
        final Path html = outFile.resolveSibling((name.endsWith(".svg") ? name.substring(0, name.length() - 4) : name) + ".html");
        Files.writeString(html, LatencyHtml.write(title, plot, series, new String[0], new org.HdrHistogram.Histogram[0], ""),
            StandardCharsets.UTF_8);
        System.out.println("wrote " + outFile + " (" + series.size() + " curve(s)) and " + html);
        return 0;
    }

    /**
     * @param log an interval log written by {@code ./pvnet latency}.
     * @return all its round-trip intervals added up (stage histograms, which carry a tag, left out).
     * @throws IOException when the file cannot be read.
     */
    static Histogram read(final Path log) throws IOException
    {
        if (!Files.isRegularFile(log))
        {
            throw new IOException("no such file");
        }
        final Histogram total = new Histogram(FixedRateSender.HIGHEST_TRACKABLE_NS, FixedRateSender.SIGNIFICANT_DIGITS);
        int intervals = 0;
        try (HistogramLogReader reader = new HistogramLogReader(log.toFile()))
        {
            EncodableHistogram next;
            while ((next = reader.nextIntervalHistogram()) != null)
            {
                if (next.getTag() == null && next instanceof Histogram histogram)
                {
                    total.add(histogram);
                    intervals++;
                }
            }
        }
        if (intervals == 0)
        {
            throw new IOException("holds no round-trip interval histogram (is it an HdrHistogram interval log?)");
        }
        return total;
    }

    /** @return the file name without {@code .hlog}; for {@code latency.hlog}, the name of its directory. */
    static String label(final Path log)
    {
        final Path name = log.getFileName();
        final Path parent = log.toAbsolutePath().getParent();
        if (name.toString().equals("latency.hlog") && parent != null && parent.getFileName() != null)
        {
            return parent.getFileName().toString();
        }
        return name.toString().replaceFirst("\\.hlog$", "");
    }
}

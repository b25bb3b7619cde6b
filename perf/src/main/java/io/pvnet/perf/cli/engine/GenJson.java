package io.pvnet.perf.cli.engine;

import org.HdrHistogram.Histogram;
import tools.jackson.jr.ob.JSON;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pvnet gen --json}'s document, as iperf3's {@code -J}: {@code start} (the run's settings), {@code intervals}
 * (per interval each flow's figures and their {@code sum}) and {@code end} (the totals, {@link GenSummary}'s). Field
 * names are iperf3's where it has one ({@code jitter_ms}, {@code lost}, {@code out_of_order}); a one-way stream's sent
 * figures carry the receiver's under {@code receiver}.
 * <p>
 * Threading: the caller's; {@link GenOutput} builds the intervals on the generator's thread and writes the document
 * on the command's.
 */
final class GenJson
{
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    private GenJson()
    {
    }

    /**
     * {@return one interval: its bounds, whether it was the warm-up's, each flow's figures ({@code streams}) and the
     * sums}
     *
     * @param rtt the interval's round trips (echo modes), null for none.
     */
    static Map<String, Object> interval(
        final long fromNs, final long toNs, final boolean omitted, final List<Map<String, Object>> streams,
        final GenOutput.Mode mode, final GenFigures sent, final GenFigures received, final Histogram rtt)
    {
        final double seconds = (toNs - fromNs) / 1e9;
        final Map<String, Object> interval = new LinkedHashMap<>();
        interval.put("start_s", round(fromNs / 1e9));
        interval.put("end_s", round(toNs / 1e9));
        interval.put("omitted", omitted);
        interval.put("streams", streams);
        final Map<String, Object> summary = new LinkedHashMap<>();
        if (mode.sends())
        {
            summary.put("sent", figures(sent, seconds, false, mode));
        }
        if (mode.receives())
        {
            summary.put("received", figures(received, seconds, true, mode));
        }
        if (rtt != null)
        {
            summary.put("rtt_ns", percentiles(rtt));
        }
        interval.put("sum", summary);
        return interval;
    }

    /**
     * {@return one flow's figures of an interval in one direction}
     *
     * @param direction "tx" or "rx" both ways, null one way.
     * @param stream    the figures are of a stream gen received.
     */
    static Map<String, Object> stream(
        final int id, final String direction, final GenFigures figures, final double seconds, final boolean stream,
        final GenOutput.Mode mode)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id);
        if (direction != null)
        {
            map.put("direction", direction);
        }
        map.putAll(figures(figures, seconds, stream, mode));
        if (!stream && mode.tcp() && figures.congestionWindow >= 0)
        {
            map.put("snd_cwnd", figures.congestionWindow); // iperf3's: bytes, in a stream's entry, not in the sum
        }
        return map;
    }

    /**
     * A stream's figures: TCP's received data has no loss (resent) and its sent data counts bytes acknowledged; a
     * one-way stream's sent figures carry the receiver's ({@code receiver}: what it reported for the interval).
     */
    private static Map<String, Object> figures(
        final GenFigures figures, final double seconds, final boolean stream, final GenOutput.Mode mode)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("frames", figures.frames);
        map.put("payload_bytes", figures.payload);
        map.put("payload_bits_per_second", round(figures.payload * 8 / seconds));
        map.put("frames_per_second", round(figures.frames / seconds));
        if (stream && !mode.tcp())
        {
            map.put("lost", figures.streamLost());
            map.put("expected", figures.expected);
            map.put("out_of_order", figures.late);
            map.put("duplicates", figures.duplicates);
            putJitter(map, "jitter_ms", figures.jitterNs());
        }
        else if (!stream && mode.oneWay())
        {
            final Map<String, Object> receiver = new LinkedHashMap<>();
            receiver.put("frames", figures.receiverFrames);
            receiver.put("payload_bytes", figures.receiverPayload);
            receiver.put("payload_bits_per_second", round(figures.receiverPayload * 8 / seconds));
            receiver.put("frames_per_second", round(figures.receiverFrames / seconds));
            receiver.put("expected", figures.expected);
            receiver.put("lost", figures.receiverLost());
            receiver.put("out_of_order", figures.late);
            receiver.put("duplicates", figures.duplicates);
            putJitter(receiver, "jitter_ms", figures.jitterNs());
            map.put("receiver", receiver);
        }
        else if (!stream)
        {
            map.put("answered", figures.answered);
            if (mode.tcp())
            {
                map.put("retransmits", figures.retransmits); // iperf3's: segments sent again, not in frames
            }
        }
        return map;
    }

    /** {@return a histogram's count and its p50, p90, p99, p99.9 and max (ns) when it has values} */
    static Map<String, Object> percentiles(final Histogram histogram)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("count", histogram.getTotalCount());
        if (histogram.getTotalCount() > 0)
        {
            for (final double p : PERCENTILES)
            {
                map.put("p" + (p == Math.rint(p) ? Integer.toString((int)p) : Double.toString(p).replace(".", "")),
                    histogram.getValueAtPercentile(p));
            }
            map.put("max", histogram.getMaxValue());
        }
        return map;
    }

    /** iperf3's {@code jitter_ms} under {@code key}, where one was measured (an older receiver reports none). */
    static void putJitter(final Map<String, Object> map, final String key, final long ns)
    {
        if (ns >= 0)
        {
            map.put(key, ns / 1e6); // milliseconds, to the nanosecond
        }
    }

    /** Writes the document: the tool, its build, the time, {@code start}, every interval and {@code end}. */
    static void write(
        final PrintStream out, final Map<String, Object> start, final List<Map<String, Object>> intervals,
        final Map<String, Object> end)
    {
        final Map<String, Object> document = new LinkedHashMap<>();
        final io.pvnet.perf.BuildInfo build = io.pvnet.perf.BuildInfo.current();
        document.put("tool", "pvnet gen");
        document.put("version", build.version());
        document.put("commit", build.commit());
        document.put("timestamp", java.time.Instant.now().toString());
        document.put("start", start);
        document.put("intervals", intervals);
        document.put("end", end);
        try
        {
            out.print(JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.PRESERVE_FIELD_ORDERING)
                .asString(document));
            out.println();
            out.flush();
        }
        catch (final tools.jackson.core.JacksonException ex)
        {
            throw new IllegalStateException("cannot write the JSON: " + ex.getMessage(), ex);
        }
    }

    private static double round(final double value)
    {
        return Math.round(value * 1000) / 1000.0;
    }
}

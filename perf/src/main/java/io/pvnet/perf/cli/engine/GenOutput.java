package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.GenCounters;
import io.pvnet.engine.guest.GenListener;
import org.HdrHistogram.Histogram;
import tools.jackson.jr.ob.JSON;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code pvnet gen} prints, as iperf3 does: a header, a line per flow and a {@code [SUM]} line per interval, a
 * summary (sent, answered, lost with its percentage, round-trip percentiles from HdrHistogram), and with
 * {@code --json} one document holding every interval ({@code start}, {@code intervals}, {@code end}, as iperf3's
 * {@code -J}). Units: {@code Transfer} and {@code Bitrate} count payload bytes (UDP, ICMP echo or TCP payload, as
 * iperf3 does), {@code Frames} Ethernet frames; the summary and the JSON also give the frames' bytes.
 * <p>
 * Threading: the generator's thread ({@link GenListener}), then the command's for {@link #finish}; one run.
 * <p>
 * Why one file of this length (about 560 lines of code): the text table and the JSON intervals are written from the
 * same per-interval differences of one set of snapshots, in eight modes; the summary is {@link GenSummary}'s.
 */
final class GenOutput implements GenListener
{
    private static final long HIGHEST_NS = 60_000_000_000L;
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    /** Columns of the interval lines that differ per mode. */
    enum Mode
    {
        /** UDP/ICMP echoes: sent, answered, RTT. */
        ECHO,
        /** A one-way UDP stream counted by its receiver: sent, received (as reported), lost/total. */
        ONE_WAY,
        /** Both ways one-way (bidir): a TX line (sent, the receiver's figures) and an RX line (stream) per flow. */
        BOTH_ONE_WAY,
        /** A reverse stream: received, lost/total. */
        STREAM,
        /** Both (bidir): a TX line (echoes) and an RX line (stream) per flow. */
        BOTH,
        /** TCP: new bytes sent, segments sent again (Retr); the summary's receiver row: bytes acknowledged. */
        TCP,
        /** TCP, the peer sends ({@code --reverse}): received in order. */
        TCP_REVERSE,
        /** TCP both ways ({@code --bidir}): a TX line (acknowledged) and an RX line (received) per flow. */
        TCP_BOTH;

        /** {@return whether gen sends in this mode} */
        boolean sends()
        {
            return this != STREAM && this != TCP_REVERSE;
        }

        /** {@return whether the peer sends in this mode} */
        boolean receives()
        {
            return this == STREAM || this == BOTH || this == BOTH_ONE_WAY || this == TCP_REVERSE || this == TCP_BOTH;
        }

        /** {@return whether gen's datagrams are echoed (round trips)} */
        boolean echoes()
        {
            return this == ECHO || this == BOTH;
        }

        /** {@return whether gen's datagrams are a one-way stream its receiver reports on} */
        boolean oneWay()
        {
            return this == ONE_WAY || this == BOTH_ONE_WAY;
        }

        /** {@return whether it is TCP (received data is never lost, only resent)} */
        boolean tcp()
        {
            return this == TCP || this == TCP_REVERSE || this == TCP_BOTH;
        }

        /** {@return whether interval lines come in TX/RX pairs} */
        boolean both()
        {
            return this == BOTH || this == BOTH_ONE_WAY || this == TCP_BOTH;
        }
    }

    private final PrintStream out;
    private final boolean text;
    private final PrintStream jsonOut;
    private final Mode mode;
    private final int flows;
    private final Histogram intervalRtt = new Histogram(HIGHEST_NS, 3);
    private final Histogram totalRtt = new Histogram(HIGHEST_NS, 3);
    private final List<Map<String, Object>> intervals = new ArrayList<>();
    /** Each flow's counters at the end of the last interval ({@link Field}): an interval's figures are differences. */
    private final long[][] last;
    private boolean headerPrinted;
    /** The counters of the lines so far (a new object: the warm-up ended). */
    private GenCounters lastCounters;
    private int omittedIntervals;
    /** Appended to each line of the interval being printed. */
    private String suffix = "";

    /**
     * @param out     where the text goes, or null for none.
     * @param jsonOut where the JSON document goes at the end, or null for none.
     */
    GenOutput(final PrintStream out, final PrintStream jsonOut, final Mode mode, final int flows)
    {
        this.out = out;
        this.text = out != null;
        this.jsonOut = jsonOut;
        this.mode = mode;
        this.flows = flows;
        last = new long[flows][FIELDS.length];
    }

    @Override
    public void onRoundTrip(final int flow, final long roundTripNs)
    {
        final long value = Math.min(Math.max(1, roundTripNs), HIGHEST_NS);
        intervalRtt.recordValue(value);
        totalRtt.recordValue(value);
    }

    @Override
    public void onInterval(final GenCounters counters, final long fromNs, final long toNs)
    {
        interval(counters, fromNs, toNs, false);
    }

    @Override
    public void onOmitted(final GenCounters counters, final long fromNs, final long toNs)
    {
        interval(counters, fromNs, toNs, true);
    }

    private void interval(final GenCounters counters, final long fromNs, final long toNs, final boolean omitted)
    {
        if (counters != lastCounters)
        {
            // the warm-up ended: the measured run counts from zero, its round trips alone make the summary's
            lastCounters = counters;
            for (final long[] flow : last)
            {
                java.util.Arrays.fill(flow, 0);
            }
            if (!omitted && omittedIntervals > 0)
            {
                totalRtt.reset();
            }
        }
        if (toNs <= fromNs)
        {
            return;
        }
        omittedIntervals += omitted ? 1 : 0;
        suffix = omitted ? "  (omitted)" : "";
        final double seconds = (toNs - fromNs) / 1e9;
        final List<Map<String, Object>> streams = new ArrayList<>();
        final Figures sum = new Figures();
        final Figures sumRx = new Figures();
        if (text && !headerPrinted)
        {
            headerPrinted = true;
            out.println(header());
        }
        for (int flow = 0; flow < flows; flow++)
        {
            final long[] delta = delta(counters, flow);
            final Figures tx = new Figures();
            tx.frames = delta[Field.SENT_FRAMES.ordinal()];
            tx.payload = delta[Field.SENT_PAYLOAD.ordinal()]; // TCP: new data only, as iperf3's (resent apart)
            tx.answered = delta[Field.ANSWERED.ordinal()];
            tx.retransmits = delta[Field.RETRANSMITTED.ordinal()];
            tx.receiverFrames = delta[Field.RECEIVER_FRAMES.ordinal()];
            tx.receiverPayload = delta[Field.RECEIVER_PAYLOAD.ordinal()];
            tx.expected = delta[Field.RECEIVER_EXPECTED.ordinal()];
            tx.late = delta[Field.RECEIVER_LATE.ordinal()];
            tx.duplicates = delta[Field.RECEIVER_DUPLICATES.ordinal()];
            tx.jitter(counters.receiverJitterNs(flow));
            final Figures rx = new Figures();
            rx.frames = delta[Field.RECEIVED.ordinal()];
            rx.payload = delta[Field.RECEIVED_PAYLOAD.ordinal()];
            rx.expected = delta[Field.RECEIVED_EXPECTED.ordinal()];
            rx.late = delta[Field.RECEIVED_LATE.ordinal()];
            rx.duplicates = delta[Field.RECEIVED_DUPLICATES.ordinal()];
            rx.jitter(counters.receivedJitterNs(flow));
            sum.add(tx);
            sumRx.add(rx);
            if (mode.sends())
            {
                streams.add(stream(flow + 1, mode.both() ? "tx" : null, tx, seconds, false, mode));
            }
            if (mode.receives())
            {
                streams.add(stream(flow + 1, mode.both() ? "rx" : null, rx, seconds, true, mode));
            }
            if (text && flows > 1)
            {
                printLines(id(flow + 1), fromNs, toNs, tx, rx, null);
            }
        }
        final Map<String, Object> interval = new LinkedHashMap<>();
        interval.put("start_s", round(fromNs / 1e9));
        interval.put("end_s", round(toNs / 1e9));
        interval.put("omitted", omitted);
        interval.put("streams", streams);
        final Map<String, Object> summary = new LinkedHashMap<>();
        if (mode.sends())
        {
            summary.put("sent", figures(sum, seconds, false, mode));
        }
        if (mode.receives())
        {
            summary.put("received", figures(sumRx, seconds, true, mode));
        }
        if (mode.echoes())
        {
            summary.put("rtt_ns", percentiles(intervalRtt));
        }
        interval.put("sum", summary);
        intervals.add(interval);
        if (text)
        {
            printLines("[SUM]", fromNs, toNs, sum, sumRx, intervalRtt);
        }
        intervalRtt.reset();
    }

    /** {@return {@code flow}'s counters' growth since the last interval; they become the last} */
    private long[] delta(final GenCounters counters, final int flow)
    {
        final long[] before = last[flow];
        final long[] delta = new long[FIELDS.length];
        for (final Field field : FIELDS)
        {
            final long value = field.counter.value(counters, flow);
            delta[field.ordinal()] = value - before[field.ordinal()];
            before[field.ordinal()] = value;
        }
        return delta;
    }

    /**
     * The header line: every label over its column, as {@link #row} lays the values out (a label right-aligned over
     * right-aligned numbers, Interval over the interval).
     */
    String header()
    {
        final String id = mode.both() ? "[ ID][Dir]" : "[ ID]";
        return switch (mode)
        {
            case ECHO -> row(id, "Interval", "Transfer", "Bitrate", "Frames/s", "Sent", "Answered", "RTT p50", "p99");
            case ONE_WAY -> row(id, "Interval", "Transfer", "Bitrate", "Frames/s", "Sent", "Received", "Jitter",
                "Lost/Total");
            case STREAM -> row(id, "Interval", "Transfer", "Bitrate", "Frames/s", "Received", "Jitter", "Lost/Total");
            case BOTH -> row(id, "Interval", "Transfer", "Bitrate", "Frames/s", "Frames", "Jitter", "Answered/Lost");
            case BOTH_ONE_WAY -> row(id, "Interval", "Transfer", "Bitrate", "Frames/s", "Frames", "Received", "Jitter",
                "Lost/Total");
            case TCP -> row(id, "Interval", "Transfer", "Bitrate", "Frames/s", "Sent", "Retr") +
                "  (Transfer: new bytes sent; Retr: segments sent again)";
            case TCP_REVERSE -> row(id, "Interval", "Transfer", "Bitrate", "Frames/s", "Received") +
                "  (Transfer: in-order bytes)";
            case TCP_BOTH -> row(id, "Interval", "Transfer", "Bitrate", "Frames/s", "Frames", "Retr") +
                "  (TX: new bytes sent, Retr: segments sent again; RX: in-order bytes)";
        };
    }

    /**
     * One line of the table, header or values: the id (10 wide with a direction, else 5), the interval (17), Transfer
     * (13), Bitrate (16), Frames/s (10) and the mode's counts (9 each, a trailing Lost/Total or Answered/Lost as it
     * comes), two spaces between columns.
     */
    private String row(final String id, final String interval, final String transfer, final String bitrate,
        final String rate, final String... counts)
    {
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, mode.both() ? "%-10s %-17s  %13s  %16s  %10s" :
            "%-5s %-17s  %13s  %16s  %10s", id, interval, transfer, bitrate, rate));
        for (int i = 0; i < counts.length; i++)
        {
            final boolean last = i == counts.length - 1;
            final boolean fraction = counts[i].contains("/") || counts[i].contains("(");
            line.append("  ").append(last && fraction ? counts[i] : String.format(Locale.ROOT, "%9s", counts[i]));
        }
        return line.toString();
    }

    private void printLines(
        final String id, final long fromNs, final long toNs, final Figures tx, final Figures rx, final Histogram rtt)
    {
        final double seconds = (toNs - fromNs) / 1e9;
        final String interval = String.format(Locale.ROOT, "%6.2f-%-6.2f sec", fromNs / 1e9, toNs / 1e9);
        switch (mode)
        {
            case ECHO -> print(row(id, interval, bytes(tx.payload), bitrate(tx.payload, seconds), rate(tx.frames, seconds),
                Long.toString(tx.frames), Long.toString(tx.answered), rtt == null ? "" : time(rtt, 50).trim(),
                rtt == null ? "" : time(rtt, 99).trim()));
            case ONE_WAY -> print(row(id, interval, bytes(tx.payload), bitrate(tx.payload, seconds),
                rate(tx.frames, seconds), Long.toString(tx.frames), Long.toString(tx.receiverFrames), jitter(tx),
                receiverLost(tx)));
            case STREAM -> print(row(id, interval, bytes(rx.payload), bitrate(rx.payload, seconds), rate(rx.frames, seconds),
                Long.toString(rx.frames), jitter(rx), lost(rx)));
            case BOTH ->
            {
                print(row(id + "[TX]", interval, bytes(tx.payload), bitrate(tx.payload, seconds), rate(tx.frames, seconds),
                    Long.toString(tx.frames), "", tx.answered + " answered" + (rtt == null ? "" : ", RTT p50 " +
                    time(rtt, 50).trim())));
                print(row(id + "[RX]", interval, bytes(rx.payload), bitrate(rx.payload, seconds), rate(rx.frames, seconds),
                    Long.toString(rx.frames), jitter(rx), lost(rx)));
            }
            case BOTH_ONE_WAY ->
            {
                print(row(id + "[TX]", interval, bytes(tx.payload), bitrate(tx.payload, seconds), rate(tx.frames, seconds),
                    Long.toString(tx.frames), Long.toString(tx.receiverFrames), jitter(tx), receiverLost(tx)));
                print(row(id + "[RX]", interval, bytes(rx.payload), bitrate(rx.payload, seconds), rate(rx.frames, seconds),
                    Long.toString(rx.frames), "", jitter(rx), lost(rx)));
            }
            case TCP -> print(row(id, interval, bytes(tx.payload), bitrate(tx.payload, seconds), rate(tx.frames, seconds),
                Long.toString(tx.frames), Long.toString(tx.retransmits)));
            case TCP_REVERSE -> print(row(id, interval, bytes(rx.payload), bitrate(rx.payload, seconds),
                rate(rx.frames, seconds), Long.toString(rx.frames)));
            case TCP_BOTH ->
            {
                print(row(id + "[TX]", interval, bytes(tx.payload), bitrate(tx.payload, seconds), rate(tx.frames, seconds),
                    Long.toString(tx.frames), Long.toString(tx.retransmits)));
                print(row(id + "[RX]", interval, bytes(rx.payload), bitrate(rx.payload, seconds), rate(rx.frames, seconds),
                    Long.toString(rx.frames)));
            }
        }
        out.flush();
    }

    /**
     * iperf3's closing rows of a one-way stream, as the table lays them out: the sender's (frames sent) and the
     * receiver's (frames it counted, its jitter, lost of the total).
     *
     * @param jitterNs the receiver's jitter (mean over the flows), -1 when it reported none.
     */
    List<String> closingRows(
        final double seconds, final long sentFrames, final long sentPayload, final long receiverFrames,
        final long receiverPayload, final long jitterNs, final long lost, final long total)
    {
        final String id = mode.both() ? "[SUM][TX]" : "[SUM]";
        final String interval = String.format(Locale.ROOT, "%6.2f-%-6.2f sec", 0.0, seconds);
        return List.of(
            row(id, interval, bytes(sentPayload), bitrate(sentPayload, seconds), rate(sentFrames, seconds),
                Long.toString(sentFrames), "", "", "") + "  sender",
            row(id, interval, bytes(receiverPayload), bitrate(receiverPayload, seconds), rate(receiverFrames, seconds),
                "", Long.toString(receiverFrames), jitterText(jitterNs),
                String.format(Locale.ROOT, "%d/%d (%s)", lost, total, percent(lost, total))) + "  receiver");
    }

    /**
     * iperf3's closing rows of TCP sent by gen, as the table lays them out: the sender's (new bytes sent, Retr) and the
     * receiver's (the bytes it acknowledged, what reached it).
     */
    List<String> tcpClosingRows(
        final double seconds, final long sentFrames, final long sentPayload, final long retransmits,
        final long acknowledgedPayload)
    {
        final String id = mode.both() ? "[SUM][TX]" : "[SUM]";
        final String interval = String.format(Locale.ROOT, "%6.2f-%-6.2f sec", 0.0, seconds);
        return List.of(
            row(id, interval, bytes(sentPayload), bitrate(sentPayload, seconds), rate(sentFrames, seconds),
                Long.toString(sentFrames), Long.toString(retransmits)) + "  sender",
            row(id, interval, bytes(acknowledgedPayload), bitrate(acknowledgedPayload, seconds), "", "", "") +
                "  receiver (bytes acknowledged)");
    }

    private void print(final String line)
    {
        out.println(suffixed(line.stripTrailing()));
    }

    private String suffixed(final String line)
    {
        return line + suffix;
    }

    /**
     * Prints the summary (text) and writes the JSON document with every interval and the end, as the run's last output.
     *
     * @param start  the run's settings (JSON {@code start}).
     * @param end    the run's totals (JSON {@code end}); {@code rtt_ns} is added here.
     * @param lines  the text summary lines.
     */
    void finish(final Map<String, Object> start, final Map<String, Object> end, final List<String> lines)
    {
        if (mode.echoes())
        {
            end.put("rtt_ns", percentiles(totalRtt));
        }
        if (text)
        {
            out.println("- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -");
            if (mode.echoes())
            {
                out.println(totalRtt.getTotalCount() == 0 ? "rtt: no timed answers (payloads under 12 bytes carry no probe)" :
                    String.format(Locale.ROOT, "rtt over %d answers: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
                        totalRtt.getTotalCount(), time(totalRtt, 50).trim(), time(totalRtt, 90).trim(),
                        time(totalRtt, 99).trim(), time(totalRtt, 99.9).trim(), format(totalRtt.getMaxValue()).trim()));
            }
            lines.forEach(out::println);
            out.flush();
        }
        if (jsonOut == null)
        {
            return;
        }
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
            jsonOut.print(JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.PRESERVE_FIELD_ORDERING)
                .asString(document));
            jsonOut.println();
            jsonOut.flush();
        }
        catch (final tools.jackson.core.JacksonException ex)
        {
            throw new IllegalStateException("cannot write the JSON: " + ex.getMessage(), ex);
        }
    }

    /** @return the round-trip histogram of the whole run. */
    Histogram totalRtt()
    {
        return totalRtt;
    }

    private static Map<String, Object> stream(
        final int id, final String direction, final Figures figures, final double seconds, final boolean stream,
        final Mode mode)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id);
        if (direction != null)
        {
            map.put("direction", direction);
        }
        map.putAll(figures(figures, seconds, stream, mode));
        return map;
    }

    /**
     * A stream's figures: TCP's received data has no loss (resent) and its sent data counts bytes acknowledged; a
     * one-way stream's sent figures carry the receiver's ({@code receiver}: what it reported for the interval).
     */
    private static Map<String, Object> figures(
        final Figures figures, final double seconds, final boolean stream, final Mode mode)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("frames", figures.frames);
        map.put("payload_bytes", figures.payload);
        map.put("payload_bits_per_second", round(figures.payload * 8 / seconds));
        map.put("frames_per_second", round(figures.frames / seconds));
        if (stream && !mode.tcp())
        {
            map.put("lost", Math.max(0, figures.expected - (figures.frames - figures.duplicates)));
            map.put("expected", figures.expected);
            map.put("out_of_order", figures.late);
            map.put("duplicates", figures.duplicates);
            putJitter(map, figures);
        }
        else if (!stream && mode.oneWay())
        {
            final Map<String, Object> receiver = new LinkedHashMap<>();
            receiver.put("frames", figures.receiverFrames);
            receiver.put("payload_bytes", figures.receiverPayload);
            receiver.put("payload_bits_per_second", round(figures.receiverPayload * 8 / seconds));
            receiver.put("frames_per_second", round(figures.receiverFrames / seconds));
            receiver.put("expected", figures.expected);
            receiver.put("lost", receiverLostCount(figures));
            receiver.put("out_of_order", figures.late);
            receiver.put("duplicates", figures.duplicates);
            putJitter(receiver, figures);
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

    /** iperf3's {@code jitter_ms}, where the receiver measured one. */
    private static void putJitter(final Map<String, Object> map, final Figures figures)
    {
        if (figures.jitterNs() >= 0)
        {
            map.put("jitter_ms", jitterMs(figures.jitterNs()));
        }
    }

    /** {@return nanoseconds as iperf3's {@code jitter_ms}: milliseconds, to the nanosecond} */
    static double jitterMs(final long ns)
    {
        return ns / 1e6;
    }

    private static String jitter(final Figures figures)
    {
        return jitterText(figures.jitterNs());
    }

    /** {@return a jitter as iperf3 prints it ("0.012 ms"), "-" when none was measured (an older receiver)} */
    static String jitterText(final long ns)
    {
        return ns < 0 ? "-" : String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
    }

    private static String lost(final Figures rx)
    {
        final long distinct = rx.frames - rx.duplicates;
        final long lost = Math.max(0, rx.expected - distinct);
        return String.format(Locale.ROOT, "%d/%d (%s)", lost, Math.max(rx.expected, distinct),
            percent(lost, Math.max(rx.expected, distinct)));
    }

    /** @return an interval's loss as the receiver of a one-way stream saw it: numbered, not (yet) received. */
    private static long receiverLostCount(final Figures tx)
    {
        return Math.max(0, tx.expected - (tx.receiverFrames - tx.duplicates));
    }

    private static String receiverLost(final Figures tx)
    {
        final long lost = receiverLostCount(tx);
        final long total = Math.max(tx.expected, tx.receiverFrames - tx.duplicates);
        return String.format(Locale.ROOT, "%d/%d (%s)", lost, total, percent(lost, total));
    }

    static String percent(final long part, final long whole)
    {
        return whole == 0 ? "0%" : String.format(Locale.ROOT, "%.2g%%", 100.0 * part / whole).replace("0.0%", "0%");
    }

    private static String id(final int id)
    {
        return String.format(Locale.ROOT, "[%3d]", id);
    }

    private static String time(final Histogram histogram, final double percentile)
    {
        return histogram.getTotalCount() == 0 ? "        -" : format(histogram.getValueAtPercentile(percentile));
    }

    static String format(final long ns)
    {
        if (ns < 1_000)
        {
            return String.format(Locale.ROOT, "%6d ns", ns);
        }
        if (ns < 1_000_000)
        {
            return String.format(Locale.ROOT, "%6.1f us", ns / 1e3);
        }
        return String.format(Locale.ROOT, ns < 1_000_000_000L ? "%6.2f ms" : "%6.2f s ", ns < 1_000_000_000L ? ns / 1e6 : ns / 1e9);
    }

    /** @return bytes as iperf3 prints them: KBytes, MBytes, GBytes (powers of 1024). */
    static String bytes(final long bytes)
    {
        if (bytes < 1024)
        {
            return String.format(Locale.ROOT, "%6d  Bytes", bytes); // the unit right-aligned with KBytes
        }
        final String[] units = {"KBytes", "MBytes", "GBytes", "TBytes"};
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value < 10 ? "%6.2f %s" : value < 100 ? "%6.1f %s" : "%6.0f %s", value, units[unit]);
    }

    /** @return bits/s as iperf3 prints them: Kbits/sec, Mbits/sec, Gbits/sec (powers of 1000). */
    static String bitrate(final long bytes, final double seconds)
    {
        double value = bytes * 8 / seconds;
        final String[] units = {" bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec", "Tbits/sec"};
        int unit = 0;
        while (value >= 1000 && unit < units.length - 1)
        {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, value < 10 ? "%6.2f %s" : value < 100 ? "%6.1f %s" : "%6.0f %s", value, units[unit]);
    }

    private static String rate(final long frames, final double seconds)
    {
        return String.format(Locale.ROOT, "%,d", Math.round(frames / seconds));
    }

    private static double round(final double value)
    {
        return Math.round(value * 1000) / 1000.0;
    }

    /** The counters an interval's figures are the growth of, per flow. */
    private enum Field
    {
        SENT_FRAMES(GenCounters::sentFrames),
        SENT_PAYLOAD(GenCounters::sentPayloadBytes),
        ANSWERED(GenCounters::answeredFrames),
        ANSWERED_PAYLOAD(GenCounters::answeredPayloadBytes),
        RECEIVED(GenCounters::receivedFrames),
        RECEIVED_PAYLOAD(GenCounters::receivedPayloadBytes),
        RECEIVED_EXPECTED(GenCounters::receivedExpected),
        RECEIVED_LATE(GenCounters::receivedLate),
        RECEIVED_DUPLICATES(GenCounters::receivedDuplicates),
        RECEIVER_FRAMES(GenCounters::receiverFrames),
        RECEIVER_PAYLOAD(GenCounters::receiverPayloadBytes),
        RECEIVER_EXPECTED(GenCounters::receiverExpected),
        RECEIVER_LATE(GenCounters::receiverOutOfOrder),
        RECEIVER_DUPLICATES(GenCounters::receiverDuplicates),
        RETRANSMITTED(GenCounters::retransmittedFrames);

        private final GenCounters.Counter counter;

        Field(final GenCounters.Counter counter)
        {
            this.counter = counter;
        }
    }

    private static final Field[] FIELDS = Field.values();

    /**
     * An interval's figures of one direction: sent or received frames and payload, echoes answered, and what the
     * receiver counted (a one-way stream's, as reported; gen's own for a reverse stream: expected, late, duplicates).
     */
    private static final class Figures
    {
        long frames;
        long payload;
        long answered;
        /** TCP: segments sent again (iperf3's Retr), apart from {@link #frames}. */
        long retransmits;
        long expected;
        long late;
        long duplicates;
        long receiverFrames;
        long receiverPayload;
        /** Jitter of the flows that have one (summed, and how many): a sum's is their mean, as iperf3's. */
        long jitterSumNs;
        int jitters;

        void jitter(final long ns)
        {
            if (ns >= 0)
            {
                jitterSumNs += ns;
                jitters++;
            }
        }

        long jitterNs()
        {
            return jitters == 0 ? -1 : jitterSumNs / jitters;
        }

        void add(final Figures other)
        {
            jitterSumNs += other.jitterSumNs;
            jitters += other.jitters;
            frames += other.frames;
            payload += other.payload;
            answered += other.answered;
            retransmits += other.retransmits;
            expected += other.expected;
            late += other.late;
            duplicates += other.duplicates;
            receiverFrames += other.receiverFrames;
            receiverPayload += other.receiverPayload;
        }
    }
}

package io.pvnet.perf.cli.engine;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/**
 * The text table of {@code pvnet gen}'s output, as iperf3 lays it out: the header (every label over its column), the
 * interval lines of a mode (a line per flow, TX/RX pairs both ways), a one-way stream's closing {@code sender} and
 * {@code receiver} rows, and the units iperf3 prints (KBytes in powers of 1024, Mbits/sec in powers of 1000, jitter in
 * ms). {@link GenOutput} decides what goes out when; this class only how a line reads.
 * <p>
 * Threading: stateless but for its mode; the caller's thread.
 */
final class GenTable
{
    /** Units of {@link #bytes} above 1,023 bytes (powers of 1024). */
    private static final String[] BYTE_UNITS = {"KBytes", "MBytes", "GBytes", "TBytes"};
    /** The Cwnd label, right-aligned over {@link #bytes}' 13 characters. */
    private static final String CWND = String.format(Locale.ROOT, "%13s", "Cwnd");
    /** Units of {@link #bitrate} (powers of 1000). */
    private static final String[] BIT_UNITS = {" bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec", "Tbits/sec"};

    private final GenOutput.Mode mode;

    GenTable(final GenOutput.Mode mode)
    {
        this.mode = mode;
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
            case TCP -> row(id, "Interval", "Transfer", "Bitrate", "Frames/s", "Sent", "Retr", CWND) +
                "  (Transfer: new bytes sent; Retr: segments sent again; Cwnd: congestion window)";
            case TCP_REVERSE -> row(id, "Interval", "Transfer", "Bitrate", "Frames/s", "Received") +
                "  (Transfer: in-order bytes)";
            case TCP_BOTH -> row(id, "Interval", "Transfer", "Bitrate", "Frames/s", "Frames", "Retr", CWND) +
                "  (TX: new bytes sent, Retr: segments sent again, Cwnd: congestion window; RX: in-order bytes)";
        };
    }

    /**
     * One line of the table, header or values: the id (10 wide with a direction, else 5), the interval (17), Transfer
     * (13), Bitrate (16), Frames/s (10) and the mode's counts (9 each, a trailing Lost/Total or Answered/Lost as it
     * comes, TCP's Cwnd 13), two spaces between columns.
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

    /**
     * {@return the interval's lines of one flow ({@code id} "[  1]") or the sum ("[SUM]"): one, or a TX and an RX line
     * both ways} Trailing blanks are the caller's to strip.
     *
     * @param rtt the interval's round trips (the sum's line of an echo mode), null for none.
     */
    List<String> lines(
        final String id, final long fromNs, final long toNs, final GenFigures tx, final GenFigures rx, final Histogram rtt)
    {
        final double seconds = (toNs - fromNs) / 1e9;
        final String interval = String.format(Locale.ROOT, "%6.2f-%-6.2f sec", fromNs / 1e9, toNs / 1e9);
        return switch (mode)
        {
            case ECHO -> List.of(row(id, interval, bytes(tx.payload), bitrate(tx.payload, seconds),
                rate(tx.frames, seconds), Long.toString(tx.frames), Long.toString(tx.answered),
                rtt == null ? "" : time(rtt, 50).trim(), rtt == null ? "" : time(rtt, 99).trim()));
            case ONE_WAY -> List.of(row(id, interval, bytes(tx.payload), bitrate(tx.payload, seconds),
                rate(tx.frames, seconds), Long.toString(tx.frames), Long.toString(tx.receiverFrames),
                jitterText(tx.jitterNs()), receiverLost(tx)));
            case STREAM -> List.of(row(id, interval, bytes(rx.payload), bitrate(rx.payload, seconds),
                rate(rx.frames, seconds), Long.toString(rx.frames), jitterText(rx.jitterNs()), lost(rx)));
            case BOTH -> List.of(
                row(id + "[TX]", interval, bytes(tx.payload), bitrate(tx.payload, seconds), rate(tx.frames, seconds),
                    Long.toString(tx.frames), "", tx.answered + " answered" + (rtt == null ? "" : ", RTT p50 " +
                    time(rtt, 50).trim())),
                row(id + "[RX]", interval, bytes(rx.payload), bitrate(rx.payload, seconds), rate(rx.frames, seconds),
                    Long.toString(rx.frames), jitterText(rx.jitterNs()), lost(rx)));
            case BOTH_ONE_WAY -> List.of(
                row(id + "[TX]", interval, bytes(tx.payload), bitrate(tx.payload, seconds), rate(tx.frames, seconds),
                    Long.toString(tx.frames), Long.toString(tx.receiverFrames), jitterText(tx.jitterNs()),
                    receiverLost(tx)),
                row(id + "[RX]", interval, bytes(rx.payload), bitrate(rx.payload, seconds), rate(rx.frames, seconds),
                    Long.toString(rx.frames), "", jitterText(rx.jitterNs()), lost(rx)));
            case TCP -> List.of(row(id, interval, bytes(tx.payload), bitrate(tx.payload, seconds),
                rate(tx.frames, seconds), Long.toString(tx.frames), Long.toString(tx.retransmits), cwnd(tx)));
            case TCP_REVERSE -> List.of(row(id, interval, bytes(rx.payload), bitrate(rx.payload, seconds),
                rate(rx.frames, seconds), Long.toString(rx.frames)));
            case TCP_BOTH -> List.of(
                row(id + "[TX]", interval, bytes(tx.payload), bitrate(tx.payload, seconds), rate(tx.frames, seconds),
                    Long.toString(tx.frames), Long.toString(tx.retransmits), cwnd(tx)),
                row(id + "[RX]", interval, bytes(rx.payload), bitrate(rx.payload, seconds), rate(rx.frames, seconds),
                    Long.toString(rx.frames)));
        };
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

    /** {@return the run's round-trip line: its count and percentiles, or why there are none} */
    static String roundTrips(final Histogram rtt)
    {
        return rtt.getTotalCount() == 0 ? "rtt: no timed answers (payloads under 12 bytes carry no probe)" :
            String.format(Locale.ROOT, "rtt over %d answers: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
                rtt.getTotalCount(), time(rtt, 50).trim(), time(rtt, 90).trim(), time(rtt, 99).trim(),
                time(rtt, 99.9).trim(), format(rtt.getMaxValue()).trim());
    }

    /** {@return a jitter as iperf3 prints it ("0.012 ms"), "-" when none was measured (an older receiver)} */
    static String jitterText(final long ns)
    {
        return ns < 0 ? "-" : String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
    }

    private static String lost(final GenFigures rx)
    {
        final long total = Math.max(rx.expected, rx.frames - rx.duplicates);
        return String.format(Locale.ROOT, "%d/%d (%s)", rx.streamLost(), total, percent(rx.streamLost(), total));
    }

    private static String receiverLost(final GenFigures tx)
    {
        final long total = Math.max(tx.expected, tx.receiverFrames - tx.duplicates);
        return String.format(Locale.ROOT, "%d/%d (%s)", tx.receiverLost(), total, percent(tx.receiverLost(), total));
    }

    /** {@return {@code part} of {@code whole} as a percentage of two significant digits ("0.20%", "0%")} */
    static String percent(final long part, final long whole)
    {
        return whole == 0 ? "0%" : String.format(Locale.ROOT, "%.2g%%", 100.0 * part / whole).replace("0.0%", "0%");
    }

    /** {@return a flow's id column: "[  1]"} */
    static String id(final int id)
    {
        return String.format(Locale.ROOT, "[%3d]", id);
    }

    private static String time(final Histogram histogram, final double percentile)
    {
        return histogram.getTotalCount() == 0 ? "        -" : format(histogram.getValueAtPercentile(percentile));
    }

    /** {@return nanoseconds in the unit that fits: ns, us, ms or s} */
    private static String format(final long ns)
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

    /** {@return a sending connection's congestion window as iperf3's Cwnd column prints it ("  1.41 MBytes"), or blank} */
    private static String cwnd(final GenFigures tx)
    {
        return tx.congestionWindow < 0 ? "" : bytes(tx.congestionWindow);
    }

    /** @return bytes as iperf3 prints them: KBytes, MBytes, GBytes (powers of 1024). */
    private static String bytes(final long bytes)
    {
        if (bytes < 1024)
        {
            return String.format(Locale.ROOT, "%6d  Bytes", bytes); // the unit right-aligned with KBytes
        }
        return scaled(bytes / 1024.0, 1024, BYTE_UNITS);
    }

    /** @return bits/s as iperf3 prints them: Kbits/sec, Mbits/sec, Gbits/sec (powers of 1000). */
    private static String bitrate(final long bytes, final double seconds)
    {
        return scaled(bytes * 8 / seconds, 1000, BIT_UNITS);
    }

    /**
     * {@return {@code value} divided by {@code base} until below it (or out of units), with its unit, as iperf3 prints
     * it: two decimals below 10, one below 100, none above}
     */
    private static String scaled(final double value, final double base, final String[] units)
    {
        double scaled = value;
        int unit = 0;
        while (scaled >= base && unit < units.length - 1)
        {
            scaled /= base;
            unit++;
        }
        return String.format(Locale.ROOT, scaled < 10 ? "%6.2f %s" : scaled < 100 ? "%6.1f %s" : "%6.0f %s", scaled,
            units[unit]);
    }

    private static String rate(final long frames, final double seconds)
    {
        return String.format(Locale.ROOT, "%,d", Math.round(frames / seconds));
    }
}

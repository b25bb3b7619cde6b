package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.GenCounters;
import io.pvnet.engine.guest.GenListener;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code pvnet gen} prints, as iperf3 does: a header, a line per flow and a {@code [SUM]} line per interval, a
 * summary (sent, answered, lost with its percentage, round-trip percentiles from HdrHistogram), and with
 * {@code --json} one document holding every interval ({@code start}, {@code intervals}, {@code end}, as iperf3's
 * {@code -J}). Units: {@code Transfer} and {@code Bitrate} count payload bytes (UDP, ICMP echo or TCP payload, as
 * iperf3 does), {@code Frames} Ethernet frames; the summary and the JSON also give the frames' bytes.
 * <p>
 * This class takes the counters' growth per interval ({@link GenFigures}) and hands it to the text table
 * ({@link GenTable}: how a line reads) and the JSON document ({@link GenJson}); the summary is {@link GenSummary}'s.
 * <p>
 * Threading: the generator's thread ({@link GenListener}), then the command's for {@link #finish}; one run.
 */
final class GenOutput implements GenListener
{
    private static final long HIGHEST_NS = 60_000_000_000L;

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
    private final GenTable table;
    private final Histogram intervalRtt = new Histogram(HIGHEST_NS, 3);
    private final Histogram totalRtt = new Histogram(HIGHEST_NS, 3);
    private final List<Map<String, Object>> intervals = new ArrayList<>();
    /** Each flow's counters at the end of the last interval ({@link GenFigures.Field}): an interval's figures are differences. */
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
        this.table = new GenTable(mode);
        last = new long[flows][GenFigures.Field.ALL.length];
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
        final GenFigures sum = new GenFigures();
        final GenFigures sumRx = new GenFigures();
        if (text && !headerPrinted)
        {
            headerPrinted = true;
            out.println(table.header());
        }
        for (int flow = 0; flow < flows; flow++)
        {
            final long[] delta = delta(counters, flow);
            final GenFigures tx = new GenFigures();
            tx.frames = delta[GenFigures.Field.SENT_FRAMES.ordinal()];
            tx.payload = delta[GenFigures.Field.SENT_PAYLOAD.ordinal()]; // TCP: new data only, as iperf3's (resent apart)
            tx.answered = delta[GenFigures.Field.ANSWERED.ordinal()];
            tx.retransmits = delta[GenFigures.Field.RETRANSMITTED.ordinal()];
            tx.congestionWindow = mode.tcp() && mode.sends() ? counters.congestionWindow(flow) : -1; // a gauge
            tx.receiverFrames = delta[GenFigures.Field.RECEIVER_FRAMES.ordinal()];
            tx.receiverPayload = delta[GenFigures.Field.RECEIVER_PAYLOAD.ordinal()];
            tx.expected = delta[GenFigures.Field.RECEIVER_EXPECTED.ordinal()];
            tx.late = delta[GenFigures.Field.RECEIVER_LATE.ordinal()];
            tx.duplicates = delta[GenFigures.Field.RECEIVER_DUPLICATES.ordinal()];
            tx.jitter(counters.receiverJitterNs(flow));
            final GenFigures rx = new GenFigures();
            rx.frames = delta[GenFigures.Field.RECEIVED.ordinal()];
            rx.payload = delta[GenFigures.Field.RECEIVED_PAYLOAD.ordinal()];
            rx.expected = delta[GenFigures.Field.RECEIVED_EXPECTED.ordinal()];
            rx.late = delta[GenFigures.Field.RECEIVED_LATE.ordinal()];
            rx.duplicates = delta[GenFigures.Field.RECEIVED_DUPLICATES.ordinal()];
            rx.jitter(counters.receivedJitterNs(flow));
            sum.add(tx);
            sumRx.add(rx);
            if (mode.sends())
            {
                streams.add(GenJson.stream(flow + 1, mode.both() ? "tx" : null, tx, seconds, false, mode));
            }
            if (mode.receives())
            {
                streams.add(GenJson.stream(flow + 1, mode.both() ? "rx" : null, rx, seconds, true, mode));
            }
            if (text && flows > 1)
            {
                print(table.lines(GenTable.id(flow + 1), fromNs, toNs, tx, rx, null));
            }
        }
        intervals.add(GenJson.interval(fromNs, toNs, omitted, streams, mode, sum, sumRx,
            mode.echoes() ? intervalRtt : null));
        if (text)
        {
            print(table.lines("[SUM]", fromNs, toNs, sum, sumRx, intervalRtt));
        }
        intervalRtt.reset();
    }

    /** {@return {@code flow}'s counters' growth since the last interval; they become the last} */
    private long[] delta(final GenCounters counters, final int flow)
    {
        final long[] before = last[flow];
        final long[] delta = new long[GenFigures.Field.ALL.length];
        for (final GenFigures.Field field : GenFigures.Field.ALL)
        {
            final long value = field.value(counters, flow);
            delta[field.ordinal()] = value - before[field.ordinal()];
            before[field.ordinal()] = value;
        }
        return delta;
    }

    /** {@return the header line of the table} */
    String header()
    {
        return table.header();
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
        return table.closingRows(seconds, sentFrames, sentPayload, receiverFrames, receiverPayload, jitterNs, lost,
            total);
    }

    /**
     * iperf3's closing rows of TCP sent by gen, as the table lays them out: the sender's (new bytes sent, Retr) and the
     * receiver's (the bytes it acknowledged, what reached it).
     */
    List<String> tcpClosingRows(
        final double seconds, final long sentFrames, final long sentPayload, final long retransmits,
        final long acknowledgedPayload)
    {
        return table.tcpClosingRows(seconds, sentFrames, sentPayload, retransmits, acknowledgedPayload);
    }

    private void print(final List<String> lines)
    {
        for (final String line : lines)
        {
            out.println(line.stripTrailing() + suffix);
        }
        out.flush();
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
            end.put("rtt_ns", GenJson.percentiles(totalRtt));
        }
        if (text)
        {
            out.println("- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -");
            if (mode.echoes())
            {
                out.println(GenTable.roundTrips(totalRtt));
            }
            lines.forEach(out::println);
            out.flush();
        }
        if (jsonOut != null)
        {
            GenJson.write(jsonOut, start, intervals, end);
        }
    }
}

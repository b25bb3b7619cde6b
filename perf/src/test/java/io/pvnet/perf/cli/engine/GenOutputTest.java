package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.GenCounters;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GenOutput}'s interval table in every mode: each header label stands over its column (a right-aligned label
 * ends where the values end, Lost/Total starts where the figures start), for one flow and for a per-flow line beside
 * {@code [SUM]}, and a one-way stream's closing rows say sender and receiver, the receiver's with its jitter.
 */
class GenOutputTest
{
    @Test
    void shouldLineUpEveryHeaderLabelWithItsColumn()
    {
        for (final GenOutput.Mode mode : GenOutput.Mode.values())
        {
            for (final int flows : new int[] {1, 2})
            {
                final List<String> lines = print(mode, flows);
                final String header = lines.get(0);
                for (final String row : lines.subList(1, lines.size()))
                {
                    for (final String label : List.of("Transfer", "Bitrate", "Frames/s", "Sent", "Answered",
                        "Received", "Frames", "Jitter", "RTT p50", "p99", "Retr"))
                    {
                        final int at = header.indexOf(label + " ") >= 0 ? header.indexOf(label + " ") :
                            header.endsWith(label) ? header.length() - label.length() : -1;
                        if (at < 0 || (mode.both() && row.contains("[RX]") &&
                            (label.equals("Received") || label.equals("Retr"))) ||
                            (mode == GenOutput.Mode.BOTH && row.contains("[TX]") && label.equals("Jitter")) ||
                            (label.contains("p") && !row.startsWith("[SUM]")))
                        {
                            continue; // not a column of this mode (blank on the RX line, jitter on an echo TX line;
                            // per flow no round trips)
                        }
                        final int end = at + label.length();
                        assertTrue(end <= row.length() && row.charAt(end - 1) != ' ' &&
                            (end == row.length() || row.charAt(end) == ' '),
                            mode + " " + flows + " flows: '" + label + "' ends at " + end + " where its values do not:\n" +
                                header + "\n" + row);
                    }
                    for (final String label : List.of("Lost/Total", "Answered/Lost"))
                    {
                        final int at = header.indexOf(label);
                        if (at >= 0)
                        {
                            assertTrue(row.length() > at && row.charAt(at) != ' ' && row.charAt(at - 1) == ' ',
                                mode + ": '" + label + "' starts at " + at + " where its figures do not:\n" + header +
                                    "\n" + row);
                        }
                    }
                    assertTrue(row.substring(header.indexOf("Interval")).startsWith("  0.00-1.00"),
                        mode + ": the interval under its label:\n" + header + "\n" + row);
                }
            }
        }
    }

    @Test
    void shouldCloseAOneWayStreamWithTheSendersAndTheReceiversRows()
    {
        final GenOutput output = new GenOutput(new PrintStream(new ByteArrayOutputStream()), null,
            GenOutput.Mode.ONE_WAY, 1);
        final List<String> rows = output.closingRows(2.0, 1000, 64_000, 990, 63_360, 12_345, 10, 1000);
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).endsWith("sender") && rows.get(0).contains(" 1000 "), rows.get(0));
        assertTrue(rows.get(1).endsWith("10/1000 (1.0%)  receiver") && rows.get(1).contains(" 990 "), rows.get(1));
        final String header = output.header();
        assertEquals(header.indexOf("Lost/Total"), rows.get(1).indexOf("10/1000"), header + "\n" + rows.get(1));
        assertEquals(header.indexOf("Jitter") + "Jitter".length(), rows.get(1).indexOf("0.012 ms") + "0.012 ms".length(),
            "the jitter (12,345 ns) ends under its label:\n" + header + "\n" + rows.get(1));
        assertTrue(output.closingRows(2.0, 1000, 64_000, 990, 63_360, -1, 10, 1000).get(1).contains(" - "),
            "an older receiver reports no jitter");
    }

    @Test
    void shouldCloseTcpWithTheSendersRowAndItsRetrAndTheReceiversAcknowledgedBytes()
    {
        final GenOutput output = new GenOutput(new PrintStream(new ByteArrayOutputStream()), null, GenOutput.Mode.TCP, 1);
        final List<String> rows = output.tcpClosingRows(2.0, 1000, 1_400_000, 37, 1_398_600);
        final String header = output.header();
        assertTrue(rows.get(0).endsWith("  sender") && rows.get(0).contains("1.34 MBytes"), rows.get(0));
        assertEquals(header.indexOf("Retr ") + "Retr".length(), rows.get(0).indexOf(" 37 ") + " 37".length(),
            "Retr under its label:\n" + header + "\n" + rows.get(0));
        assertEquals(header.indexOf("Sent ") + "Sent".length(), rows.get(0).indexOf(" 1000 ") + " 1000".length());
        assertTrue(rows.get(1).endsWith("receiver (bytes acknowledged)") && rows.get(1).contains("1.33 MBytes") &&
            rows.get(1).contains("5.59 Mbits/sec"), rows.get(1));
    }

    @Test
    void shouldShowTheSegmentsSentAgainInTheTcpIntervalLineAndItsJson()
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        final ByteArrayOutputStream json = new ByteArrayOutputStream();
        final GenOutput output = new GenOutput(new PrintStream(text, true, StandardCharsets.UTF_8),
            new PrintStream(json, true, StandardCharsets.UTF_8), GenOutput.Mode.TCP, 1);
        output.onInterval(new GenCounters(1), 0, 1_000_000_000L);
        output.finish(new java.util.LinkedHashMap<>(), new java.util.LinkedHashMap<>(), List.of());
        final String header = text.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        assertTrue(header.contains("Sent       Retr           Cwnd  (Transfer: new bytes sent; Retr: segments sent again;"),
            header);
        assertTrue(json.toString(StandardCharsets.UTF_8).contains("\"retransmits\" : 0"), json.toString());
    }

    @Test
    void shouldPrintEachSendersCongestionWindowUnderCwndAsIperf3DoesAndNoneForTheSum() throws Exception
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        final ByteArrayOutputStream json = new ByteArrayOutputStream();
        final GenOutput output = new GenOutput(new PrintStream(text, true, StandardCharsets.UTF_8),
            new PrintStream(json, true, StandardCharsets.UTF_8), GenOutput.Mode.TCP, 2);
        final GenCounters counters = new GenCounters(2);
        final java.lang.reflect.Field cwnd = GenCounters.class.getDeclaredField("congestionWindow");
        cwnd.setAccessible(true);
        ((long[])cwnd.get(counters))[0] = 1_478_492; // 1.41 MiB
        ((long[])cwnd.get(counters))[1] = 900;
        output.onInterval(counters, 0, 1_000_000_000L);
        output.finish(new java.util.LinkedHashMap<>(), new java.util.LinkedHashMap<>(), List.of());

        final List<String> lines = text.toString(StandardCharsets.UTF_8).lines().toList();
        final String header = lines.get(0);
        final int cwndEnd = header.indexOf("Cwnd") + "Cwnd".length();
        assertTrue(lines.get(1).startsWith("[  1]") && lines.get(1).endsWith("  1.41 MBytes"), lines.get(1));
        assertEquals(cwndEnd, lines.get(1).length(), "Cwnd under its label:\n" + header + "\n" + lines.get(1));
        assertTrue(lines.get(2).endsWith("   900  Bytes"), lines.get(2));
        assertEquals(cwndEnd, lines.get(2).length());
        assertTrue(lines.get(3).startsWith("[SUM]"), lines.get(3));
        assertEquals(header.indexOf("Retr") + "Retr".length(), lines.get(3).length(),
            "the sum ends at Retr: no Cwnd, as iperf3's\n" + header + "\n" + lines.get(3));
        final String written = json.toString(StandardCharsets.UTF_8);
        assertTrue(written.contains("\"snd_cwnd\" : 1478492") && written.contains("\"snd_cwnd\" : 900"), written);
        assertEquals(2, written.split("snd_cwnd", -1).length - 1, "in the streams' entries only: " + written);
    }

    private static List<String> print(final GenOutput.Mode mode, final int flows)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final GenOutput output = new GenOutput(new PrintStream(bytes, true, StandardCharsets.UTF_8), null, mode, flows);
        output.onRoundTrip(0, 150_000);
        output.onInterval(new GenCounters(flows), 0, 1_000_000_000L);
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }
}

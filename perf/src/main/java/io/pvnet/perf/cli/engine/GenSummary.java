package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.EchoWindow;
import io.pvnet.engine.guest.GenCounters;
import io.pvnet.engine.guest.StreamCredit;
import io.pvnet.engine.guest.TrafficGenerator;
import io.pvnet.engine.guest.TrafficReport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end of a {@code pvnet gen} run, as iperf3 sums one up: the summary line (what was sent and, per mode, what was
 * answered, what the one-way stream's receiver counted, what the reverse stream brought), iperf3's
 * {@code sender}/{@code receiver} rows for a one-way stream, and the JSON {@code end} object with every figure and
 * each flow's. Loss of a one-way stream is iperf3's: sent - distinct datagrams the receiver counted.
 * <p>
 * Threading: the command's, after the run.
 */
final class GenSummary
{
    /** What the run was asked to do (the checked options). */
    record Run(
        String proto, String destination, String portText, boolean udp, boolean oneWay, boolean forward,
        boolean stream, long rate, long count, int segmentSize, double minSentPercent)
    {
    }

    private final Run run;
    private final GenOutput output;
    private final TrafficReport report;
    private final TrafficGenerator generator;
    private final GenCounters counters;
    private final double seconds;
    /** Over the flows: what a one-way stream's receiver reported, what gen counted of a reverse stream. */
    private final long receiverFrames;
    private final long receiverPayload;
    private final long receiverExpected;
    private final long receiverOutOfOrder;
    private final long receiverDuplicates;
    private final long receivedPayload;
    private final long receivedLate;
    private final long receivedDuplicates;
    /** Jitter, mean over the flows that measured one (as iperf3's sum), -1 when none did. */
    private final long receiverJitterNs;
    private final long receivedJitterNs;
    private final List<String> lines = new ArrayList<>();
    private final Map<String, Object> end = new LinkedHashMap<>();
    private long asked;
    private long got;
    private boolean shortSend;

    GenSummary(final Run run, final TrafficReport report, final TrafficGenerator generator, final GenOutput output)
    {
        this.run = run;
        this.output = output;
        this.report = report;
        this.generator = generator;
        this.counters = report.counters();
        this.seconds = Math.max(1e-9, report.elapsedNs() / 1e9);
        receiverFrames = sum(GenCounters::receiverFrames);
        receiverPayload = sum(GenCounters::receiverPayloadBytes);
        receiverExpected = sum(GenCounters::receiverExpected);
        receiverOutOfOrder = sum(GenCounters::receiverOutOfOrder);
        receiverDuplicates = sum(GenCounters::receiverDuplicates);
        receivedPayload = sum(GenCounters::receivedPayloadBytes);
        receivedLate = sum(GenCounters::receivedLate);
        receivedDuplicates = sum(GenCounters::receivedDuplicates);
        receiverJitterNs = GenFigures.meanJitter(counters, GenCounters::receiverJitterNs);
        receivedJitterNs = GenFigures.meanJitter(counters, GenCounters::receivedJitterNs);
        build();
    }

    /** @return the text lines after the interval table. */
    List<String> lines()
    {
        return lines;
    }

    /** @return the JSON {@code end} object (GenOutput adds the round trips). */
    Map<String, Object> end()
    {
        return end;
    }

    /** @return whether far less than asked was sent (or received). */
    boolean shortSend()
    {
        return shortSend;
    }

    /** @return the warning for a short send. */
    String shortSendWarning()
    {
        final boolean askedBytes = !run.forward() && !run.udp();
        return String.format(Locale.ROOT, "pvnet gen: warning: %s %,d of %,d %s asked (%.1f %%, below " +
            "--min-sent %.0f %%): the %s could not keep up (ring full %d times)", run.forward() ? "sent" : "received",
            got, asked, askedBytes ? "bytes" : "frames", 100.0 * got / asked, run.minSentPercent(),
            run.forward() ? "vif or the switch" : "peer or the path", counters.ringFullWaits());
    }

    private long sum(final GenCounters.Counter counter)
    {
        return GenCounters.sum(counters.snapshot(counter));
    }

    private void build()
    {
        final long frames = report.frames();
        final long frameBytes = sum(GenCounters::sentFrameBytes);
        final long payload = report.payloadBytes();
        final long answered = report.echoes();
        // a one-way stream: what its receiver counted (duplicates apart); echoes: what came back
        final long delivered = run.oneWay() ? receiverFrames - receiverDuplicates : answered;
        final long lost = run.udp() ? Math.max(0, frames - delivered) : 0;
        final long received = report.received();
        final long expected = Math.max(received - receivedDuplicates, report.receivedExpected());
        final long streamLost = expected - (received - receivedDuplicates);
        // what was asked: --count, or --rate for the duration (frames; for tcp --count is segments, and what tcp's
        // receiving connections wait for is --count x --size bytes)
        final boolean askedBytes = !run.forward() && !run.udp();
        asked = askedBytes ? Math.max(0, run.count()) * run.segmentSize() :
            run.count() > 0 ? run.count() : run.rate() > 0 ? (long)(run.rate() * seconds) : 0;
        got = run.forward() ? frames : askedBytes ? receivedPayload : received;
        shortSend = asked > 0 && got < asked * run.minSentPercent() / 100.0;

        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "pvnet gen: %s to %s%s: ",
            run.proto(), run.destination(), run.portText()));
        end.put("seconds", seconds);
        if (run.forward())
        {
            line.append(String.format(Locale.ROOT, "sent %d frames (%d frame bytes, %d payload bytes) in %.3f s " +
                "(%.3f Mpps, %.3f Gbit/s payload), ", frames, frameBytes, payload, seconds, frames / seconds / 1e6,
                payload * 8 / seconds / 1e9));
            if (run.oneWay())
            {
                line.append(String.format(Locale.ROOT, "receiver counted %d (%d payload bytes, %d out of order, %d " +
                    "duplicates, jitter %s), lost %d (%s)", receiverFrames, receiverPayload, receiverOutOfOrder,
                    receiverDuplicates, GenTable.jitterText(receiverJitterNs), lost,
                    GenTable.percent(lost, frames)));
                if (counters.missingFinalReports() > 0)
                {
                    // its figures are of an earlier report: what came after it counts as lost, delivered or not
                    line.append(String.format(Locale.ROOT, " (not final: no final report from the receiver of %d " +
                        "flow%s)", counters.missingFinalReports(), counters.missingFinalReports() == 1 ? "" : "s"));
                }
            }
            else if (run.udp())
            {
                line.append(String.format(Locale.ROOT, "answered %d (%s echoes, %d payload bytes, %d bad), lost %d (%s)",
                    answered, run.proto(), report.answeredPayloadBytes(), report.badEchoes(), lost,
                    GenTable.percent(lost, frames)));
            }
            else
            {
                line.append(String.format(Locale.ROOT, "answered %d bytes acknowledged, retransmitted %d segments " +
                    "(%d payload bytes) in %d recoveries", report.answeredPayloadBytes(),
                    sum(GenCounters::retransmittedFrames), sum(GenCounters::retransmittedPayloadBytes),
                    counters.retransmitRounds()));
            }
            line.append(String.format(Locale.ROOT, ", ring full %d times", counters.ringFullWaits()));
            if (run.udp())
            {
                line.append(", ").append(run.oneWay() ? creditText() : echoText(generator.echoWindow()));
            }
            end.put("sent", sent(frames, frameBytes, payload, answered, lost));
        }
        if (run.stream())
        {
            line.append(run.forward() ? "; " : "").append(String.format(Locale.ROOT,
                "received %d frames (%d payload bytes) in %.3f s (%.3f Mpps, %.3f Gbit/s payload), ", received,
                receivedPayload, seconds, received / seconds / 1e6, receivedPayload * 8 / seconds / 1e9));
            line.append(run.udp() ? String.format(Locale.ROOT, "lost %d of %d (%s), %d out of order, %d duplicates, " +
                "jitter %s, %d reports to the sender, %s", streamLost, expected, GenTable.percent(streamLost, expected),
                receivedLate, receivedDuplicates, GenTable.jitterText(receivedJitterNs),
                counters.reportsOut(), reversePacingText()) : String.format(Locale.ROOT,
                "in order (%d segments after a gap dropped and resent)", counters.receivedOutOfOrder()));
            end.put("received", received(received, expected, streamLost));
        }
        if (!run.udp())
        {
            if (report.peerResets() > 0)
            {
                line.append(String.format(Locale.ROOT, ", %d connection%s reset by the peer during the run",
                    report.peerResets(), report.peerResets() == 1 ? "" : "s"));
            }
            line.append(report.closed() ? ", closed" : report.unacknowledged() > 0 ? String.format(Locale.ROOT,
                ", %d bytes never acknowledged (reset)", report.unacknowledged()) : ", close not completed (reset)");
        }
        if (run.oneWay())
        {
            // iperf3's closing pair: the sender's and the receiver's view of the same datagrams
            final List<String> rows = output.closingRows(seconds, frames, payload, receiverFrames, receiverPayload,
                receiverJitterNs, lost, Math.max(frames, delivered));
            lines.add(rows.get(0));
            // an earlier report's figures (not the receiver's last word) are marked as the summary line marks them
            lines.add(counters.missingFinalReports() > 0 ? rows.get(1) + " (not final)" : rows.get(1));
        }
        else if (run.forward() && !run.udp())
        {
            // iperf3's closing pair for TCP: new bytes sent with the segments sent again, and what the peer acknowledged
            lines.addAll(output.tcpClosingRows(seconds, frames, payload, sum(GenCounters::retransmittedFrames),
                report.answeredPayloadBytes()));
        }
        lines.add(line.toString());
        end.put("streams", perFlow());
        if (!run.udp())
        {
            end.put("closed", report.closed());
            end.put("unacknowledged_bytes", report.unacknowledged());
            end.put("peer_resets", report.peerResets());
            // RSTs not at gen's receive point (RFC 5961 3.2): challenged, not challenged (7's limit), out of window
            end.put("challenge_acks", counters.challengeAcks());
            end.put("challenge_acks_limited", counters.challengeAcksLimited());
            end.put("resets_out_of_window", counters.resetsOutOfWindow());
        }
        if (counters.badReports() > 0 || counters.reportsIn() > 0 || counters.reportsOut() > 0)
        {
            final Map<String, Object> reports = new LinkedHashMap<>();
            reports.put("in", counters.reportsIn());
            reports.put("out", counters.reportsOut());
            reports.put("ignored", counters.badReports());
            reports.put("malformed", counters.malformedReports());
            reports.put("other_nonce", counters.otherNonceReports());
            reports.put("not_believed", counters.unbelievedReports());
            reports.put("figures_ignored", counters.figuresIgnoredReports());
            reports.put("counts_restarted", counters.restartedCounts());
            reports.put("control_sent", counters.controlSent());
            end.put("reports", reports);
        }
        end.put("asked", asked);
        end.put("short_send", shortSend);
    }

    private Map<String, Object> sent(
        final long frames, final long frameBytes, final long payload, final long answered, final long lost)
    {
        final Map<String, Object> sent = new LinkedHashMap<>();
        sent.put("frames", frames);
        sent.put("frame_bytes", frameBytes);
        sent.put("payload_bytes", payload);
        sent.put("frames_per_second", frames / seconds);
        sent.put("payload_bits_per_second", payload * 8 / seconds);
        if (run.oneWay())
        {
            final Map<String, Object> receiver = new LinkedHashMap<>();
            receiver.put("frames", receiverFrames);
            receiver.put("payload_bytes", receiverPayload);
            receiver.put("frames_per_second", receiverFrames / seconds);
            receiver.put("payload_bits_per_second", receiverPayload * 8 / seconds);
            receiver.put("expected", receiverExpected);
            receiver.put("out_of_order", receiverOutOfOrder);
            receiver.put("duplicates", receiverDuplicates);
            GenJson.putJitter(receiver, "jitter_ms", receiverJitterNs);
            receiver.put("final_reports_missing", counters.missingFinalReports()); // > 0: figures not final
            sent.put("receiver", receiver);
        }
        else
        {
            sent.put("answered", run.udp() ? answered : 0);
            sent.put("answered_payload_bytes", report.answeredPayloadBytes());
            sent.put("bad", report.badEchoes());
        }
        sent.put("lost", lost);
        sent.put("lost_percent", frames == 0 ? 0.0 : 100.0 * lost / frames);
        sent.put("ring_full_waits", counters.ringFullWaits());
        if (run.udp())
        {
            sent.put("pacing", run.oneWay() ? creditJson() : echoJson(generator.echoWindow()));
        }
        if (!run.udp())
        {
            // iperf3's end.sum_sent.retransmits: segments sent again, apart from frames (first sends of new data)
            sent.put("retransmits", sum(GenCounters::retransmittedFrames));
            sent.put("retransmitted_payload_bytes", sum(GenCounters::retransmittedPayloadBytes));
            sent.put("retransmitted_frame_bytes", sum(GenCounters::retransmittedFrameBytes));
            sent.put("retransmit_rounds", counters.retransmitRounds());
        }
        return sent;
    }

    private Map<String, Object> received(final long received, final long expected, final long lost)
    {
        final Map<String, Object> in = new LinkedHashMap<>();
        in.put("frames", received);
        in.put("payload_bytes", receivedPayload);
        in.put("frames_per_second", received / seconds);
        in.put("payload_bits_per_second", receivedPayload * 8 / seconds);
        if (run.udp())
        {
            in.put("expected", expected);
            in.put("lost", lost);
            in.put("lost_percent", expected == 0 ? 0.0 : 100.0 * lost / expected);
            in.put("out_of_order", receivedLate);
            in.put("duplicates", receivedDuplicates);
            GenJson.putJitter(in, "jitter_ms", receivedJitterNs);
            in.put("pacing", reversePacingJson());
        }
        else
        {
            in.put("out_of_order", counters.receivedOutOfOrder());
        }
        return in;
    }

    private List<Map<String, Object>> perFlow()
    {
        final List<Map<String, Object>> perFlow = new ArrayList<>();
        for (int flow = 0; flow < counters.flows(); flow++)
        {
            final Map<String, Object> f = new LinkedHashMap<>();
            f.put("id", flow + 1);
            f.put("source_port", TrafficGenerator.SOURCE_PORT + flow);
            f.put("sent_frames", counters.sentFrames(flow));
            f.put("sent_payload_bytes", counters.sentPayloadBytes(flow));
            if (run.oneWay())
            {
                f.put("receiver_frames", counters.receiverFrames(flow));
                f.put("receiver_payload_bytes", counters.receiverPayloadBytes(flow));
                f.put("receiver_expected", counters.receiverExpected(flow));
                f.put("receiver_out_of_order", counters.receiverOutOfOrder(flow));
                f.put("receiver_duplicates", counters.receiverDuplicates(flow));
                GenJson.putJitter(f, "receiver_jitter_ms", counters.receiverJitterNs(flow));
                f.put("final_report", !counters.finalReportMissing(flow)); // false: this flow's figures not final
            }
            else
            {
                f.put("answered", counters.answeredFrames(flow));
                f.put("answered_payload_bytes", counters.answeredPayloadBytes(flow));
            }
            f.put("received_frames", counters.receivedFrames(flow));
            f.put("received_payload_bytes", counters.receivedPayloadBytes(flow));
            if (run.udp())
            {
                f.put("received_expected", counters.receivedExpected(flow));
                f.put("received_out_of_order", counters.receivedLate(flow));
                f.put("received_duplicates", counters.receivedDuplicates(flow));
                GenJson.putJitter(f, "received_jitter_ms", counters.receivedJitterNs(flow));
            }
            else
            {
                f.put("retransmits", counters.retransmittedFrames(flow));
                f.put("retransmitted_payload_bytes", counters.retransmittedPayloadBytes(flow));
                f.put("retransmit_rounds", counters.retransmitRounds(flow));
            }
            perFlow.add(f);
        }
        return perFlow;
    }

    /** @return how the echo requests were paced, for the summary line. */
    private String echoText(final EchoWindow echoWindow)
    {
        if (echoWindow == null)
        {
            return run.rate() > 0 ? "paced by --rate" : "not paced (--flood)";
        }
        if (!echoWindow.answered() || echoWindow.refused())
        {
            return echoWindow.refused() ? "not paced (the peer refused the port: no echoes)" :
                "not paced (no echoes came)";
        }
        return String.format(Locale.ROOT, "paced to the answers: window %d (largest %d of %d), %d losses, " +
            "%d queueings, %d timeouts shrank it", echoWindow.window(), echoWindow.largest(), echoWindow.max(),
            echoWindow.losses(), echoWindow.queueings(), echoWindow.timeouts());
    }

    private Map<String, Object> echoJson(final EchoWindow echoWindow)
    {
        final Map<String, Object> paced = new LinkedHashMap<>();
        paced.put("mode", echoWindow == null ? run.rate() > 0 ? "rate" : "flood" :
            echoWindow.answered() && !echoWindow.refused() ? "answers" : "no-echoes");
        if (echoWindow != null)
        {
            paced.put("window_max", echoWindow.max());
            paced.put("window_largest", echoWindow.largest());
            paced.put("window_last", echoWindow.window());
            paced.put("losses", echoWindow.losses());
            paced.put("queueings", echoWindow.queueings());
            paced.put("timeouts", echoWindow.timeouts());
        }
        return paced;
    }

    /**
     * @return how the reverse stream was paced, for the summary line: what the peer did, not what gen asked (an older
     *     guest ignores the window and sends as fast as its ring takes datagrams).
     */
    private String reversePacingText()
    {
        final int window = generator.reverseWindow();
        if (window == 0)
        {
            return run.rate() > 0 ? "paced by --rate" : "not paced (--flood)";
        }
        final long overrun = generator.reverseOverrun();
        return overrun > 0 ? String.format(Locale.ROOT, "not paced: the peer sent at least %d datagrams beyond gen's " +
            "reports and the window of %d it was asked to keep (an older pvnet guest ignores the window and sends as " +
            "fast as it can)", overrun, window) : String.format(Locale.ROOT,
            "the peer kept within a window of %d per flow of them", window);
    }

    private Map<String, Object> reversePacingJson()
    {
        final Map<String, Object> paced = new LinkedHashMap<>();
        final int window = generator.reverseWindow();
        paced.put("mode", window == 0 ? run.rate() > 0 ? "rate" : "flood" :
            generator.reverseOverrun() > 0 ? "ignored" : "reports");
        if (window > 0)
        {
            paced.put("window", window);
            paced.put("beyond_window", generator.reverseOverrun());
        }
        return paced;
    }

    /** @return how the one-way stream was paced, for the summary line (windows summed over the flows). */
    private String creditText()
    {
        if (generator.streamCredit(0) == null)
        {
            return run.rate() > 0 ? "paced by --rate" : "not paced (--flood)";
        }
        final long[] credit = credit();
        return String.format(Locale.ROOT, "paced by the receiver's %d reports: window %d (smallest %d of %d), " +
            "%d losses, %d timeouts shrank it", counters.reportsIn(), credit[0], credit[1], credit[2], credit[3],
            credit[4]);
    }

    private Map<String, Object> creditJson()
    {
        final Map<String, Object> paced = new LinkedHashMap<>();
        paced.put("mode", generator.streamCredit(0) == null ? run.rate() > 0 ? "rate" : "flood" : "reports");
        if (generator.streamCredit(0) != null)
        {
            final long[] credit = credit();
            paced.put("window_max", credit[2]);
            paced.put("window_smallest", credit[1]);
            paced.put("window_last", credit[0]);
            paced.put("losses", credit[3]);
            paced.put("timeouts", credit[4]);
        }
        return paced;
    }

    /** @return window, smallest, max, losses, timeouts over the flows' credits. */
    private long[] credit()
    {
        final long[] sum = new long[5];
        for (int flow = 0; flow < counters.flows(); flow++)
        {
            final StreamCredit credit = generator.streamCredit(flow);
            sum[0] += credit.window();
            sum[1] += credit.smallest();
            sum[2] += credit.max();
            sum[3] += credit.losses();
            sum[4] += credit.timeouts();
        }
        return sum;
    }
}

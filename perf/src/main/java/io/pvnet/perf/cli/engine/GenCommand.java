package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.StreamSource;
import io.pvnet.engine.guest.TcpSpec;
import io.pvnet.engine.guest.TrafficGenerator;
import io.pvnet.engine.guest.TrafficReport;
import io.pvnet.engine.guest.DatagramSpec;
import io.pvnet.ring.event.IdleMode;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code pvnet gen}: a guest that generates traffic and reports like iperf3 (a line per interval and flow, a summary,
 * JSON with every interval) with pktgen's knobs (rate, count, size lists, IMIX, parallel flows). Resolves the
 * destination by ARP, then sends a one-way UDP stream to port 5201 that the receiver counts and reports (iperf3's UDP
 * test; a {@code pvnet guest}'s {@link StreamSource}), UDP datagrams to port 7 with {@code --echo} or ICMP echo
 * requests (answered = echoes, each checked and timed), has the peer stream to it ({@code --reverse}, {@code --bidir}),
 * or runs a TCP transfer to port 9 (or {@code --port}), optionally in TSO frames (answered = bytes acknowledged).
 * <p>
 * Why one-way is the UDP default: it is what iperf3 {@code -u} measures (the receiver counts, loss = sent - received
 * as the receiver saw it) and a datagram crosses the switch once, so {@code gen} measures the path as {@code bench}'s
 * vif scenarios do; an echo crosses it twice and times round trips, which {@code --echo} (and {@code --proto icmp})
 * still do. The traffic itself is {@link TrafficGenerator}'s, the output {@link GenOutput}'s and {@link GenSummary}'s,
 * the options, their help and their checks {@link GenOptions}'; this class runs the checked plan and judges the result.
 * <p>
 * Exit status: 0 done; 1 the run could not start (no switch, no ARP answer, no SYN-ACK, no stream); 2 a bad option;
 * 3 it sent (or, reversed, received) less than {@code --min-sent} percent of what was asked ({@code --count}, or
 * {@code --rate} times the duration), with a warning on stderr; 4 (tcp) the peer never acknowledged some bytes sent,
 * even after the close resent them, or reset a connection during the run (a line on stderr as the RST comes, naming
 * the flow, when, and what it got so far; the other connections go on), so the figures are not the transfer's (iperf3
 * ends such a run in an error); a run that has both prints both lines and exits 4; 5 (udp one-way) the receiver's final
 * report of some flow did not come within gen's 3 s wait, so its figures are an earlier report's and lost includes
 * datagrams that may have arrived (a line on stderr; iperf3 fails with "unable to receive results"); 5 over 3 when both
 * (both lines are printed). A close the peer did not complete after acknowledging everything is a warning with exit 0:
 * the figures stand.
 */
@Command(name = "gen", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Generate UDP, ICMP echo or TCP (optionally TSO) traffic from a guest and report it as iperf3 does: " +
        "a line per interval, loss, round-trip percentiles, JSON.",
        "UDP is a one-way stream to port 5201 that the receiver (a pvnet guest) counts and reports, as iperf3 -u: " +
            "loss = sent - received as the receiver saw it; --echo has port 7 echo each datagram instead (round " +
            "trips). Both, and ICMP echo, are paced by default (a window of frames in flight beyond the receiver's " +
            "reports or the answers, --window), so a run measures the path's rate without filling its queues; " +
            "--rate or -b sends at a rate, --flood as fast as the ring takes frames.",
        "Units: Transfer and Bitrate count payload bytes (UDP/ICMP/TCP payload, as iperf3; TCP sending: new bytes, " +
            "what went again after a loss is Retr, in segments; Cwnd is the congestion window at the interval's end, " +
            "as iperf3's); Frames are Ethernet frames; the summary also gives " +
            "the frames' bytes.",
        "Exit: 0 done, 1 could not start, 2 bad option, 3 sent less than --min-sent %% of what was asked, 4 tcp: bytes " +
            "sent were never acknowledged or the peer reset a connection, 5 udp one-way: no final report from the " +
            "receiver of some flow within 3 s (its figures are an earlier report's); 4 or 5 over 3 when both: both " +
            "lines are printed."})
public final class GenCommand implements Callable<Integer>
{
    @picocli.CommandLine.Mixin
    io.pvnet.perf.harness.PollingOptions polling = new io.pvnet.perf.harness.PollingOptions();

    @picocli.CommandLine.Mixin
    GuestAttachOptions attach = new GuestAttachOptions();

    @picocli.CommandLine.Mixin
    GenOptions options = new GenOptions();

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception
    {
        final GenOptions.Plan plan;
        try
        {
            plan = options.plan(attach);
            polling.apply();
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("pvnet gen: " + ex.getMessage());
            return 2;
        }
        PrintStream jsonOut = null;
        try
        {
            if (plan.json() != null)
            {
                jsonOut = "-".equals(plan.json()) ? out :
                    new PrintStream(plan.json(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        catch (final FileNotFoundException ex)
        {
            err.println("pvnet gen: --json=" + plan.json() + ": cannot write (" + ex.getMessage() + ")");
            return 2;
        }
        try (GuestNode node = GuestNode.open(plan.settings(), attach.waitNs()))
        {
            final IdleStrategy waiter = plan.idle().newIdleStrategy(node.frontend(), IdleMode.spinWindowNs(), 50_000L);
            final TrafficGenerator generator = new TrafficGenerator(node.frontend(), node.stack(), node, waiter,
                new org.agrona.concurrent.SystemNanoClock());
            if (!generator.awaitConnected(attach.waitNs()))
            {
                // attached, so the process serving the socket runs: its backend for the vif never answered
                err.println("pvnet gen: vif " + attach.vif + " did not connect to " + node.server() +
                    " within --wait " + node.waitDescription());
                return 1;
            }
            if (!generator.resolve(plan.dstIp(), 5_000_000_000L))
            {
                err.println("pvnet gen: no ARP reply from " + plan.dst());
                return 1;
            }
            final boolean textToOut = !"-".equals(plan.json());
            final GenOutput.Mode mode = switch (plan.direction())
            {
                case FORWARD -> plan.udp() ? plan.oneWay() ? GenOutput.Mode.ONE_WAY : GenOutput.Mode.ECHO :
                    GenOutput.Mode.TCP;
                case REVERSE -> plan.udp() ? GenOutput.Mode.STREAM : GenOutput.Mode.TCP_REVERSE;
                case BIDIR -> plan.udp() ? plan.oneWay() ? GenOutput.Mode.BOTH_ONE_WAY : GenOutput.Mode.BOTH :
                    GenOutput.Mode.TCP_BOTH;
            };
            final GenOutput output = new GenOutput(textToOut ? out : null, jsonOut, mode, plan.flows());
            if (textToOut)
            {
                out.println("pvnet gen: " + describe(plan));
            }
            final TcpResetLines resets = new TcpResetLines(output, err, plan.dst(), plan.port(), plan.reversePort(),
                plan.direction() == DatagramSpec.Direction.BIDIR);
            final TrafficReport report = plan.udp() ?
                generator.datagrams(new DatagramSpec(plan.icmp(), plan.port(), plan.mix(), plan.flows(),
                    plan.count(), plan.durationNs(), plan.rate(), plan.direction(), plan.intervalNs(), plan.omitNs(), plan.window(),
                    plan.oneWay()), output) :
                generator.tcp(new TcpSpec(plan.port(), plan.reversePort(), plan.size(), plan.tso(),
                    plan.flows(), plan.count(), plan.durationNs(), plan.rate(), plan.direction(), plan.intervalNs(), plan.omitNs()), resets);
            if (!report.ok())
            {
                err.println("pvnet gen: " + report.failure());
                return 1;
            }
            return finish(plan, report, generator, output, resets);
        }
        catch (final IllegalStateException ex)
        {
            err.println("pvnet gen: " + ex.getMessage());
            return 1;
        }
        finally
        {
            if (jsonOut != null && jsonOut != out)
            {
                jsonOut.close();
            }
        }
    }

    private String describe(final GenOptions.Plan plan)
    {
        return String.format(Locale.ROOT, "%s to %s%s, %d flow%s, %s payload bytes, %s, %s%s",
            plan.protoName(), plan.dst(), portText(plan), plan.flows(),
            plan.flows() == 1 ? "" : "s", plan.mix(),
            plan.rate() > 0 ? String.format(Locale.ROOT, "%,d frames/s", plan.rate()) : plan.window() > 0 ?
                String.format(Locale.ROOT, plan.direction() == DatagramSpec.Direction.REVERSE ?
                "gen asked the peer to pace to its reports (window up to %d)" : plan.oneWay() ?
                "paced by the receiver's reports (window up to %d)" : "paced to the answers (window up to %d)",
                plan.window()) : "as fast as possible",
            plan.count() > 0 ? String.format(Locale.ROOT, "%,d frames", plan.count()) :
                String.format(Locale.ROOT, "for %.1f s", plan.durationNs() / 1e9) + (plan.omitNs() / 1e9 > 0 ?
                String.format(Locale.ROOT, " after a %.1f s warm-up", plan.omitNs() / 1e9) : ""),
            plan.direction() == DatagramSpec.Direction.FORWARD ? "" :
                plan.direction() == DatagramSpec.Direction.REVERSE ? ", reverse (the peer sends)" : ", both directions");
    }

    /** @return " port P" (the stream port when reversed), nothing for ICMP. */
    private String portText(final GenOptions.Plan plan)
    {
        if (plan.icmp())
        {
            return "";
        }
        final int streamPort = plan.udp() ? StreamSource.PORT : plan.reversePort();
        return switch (plan.direction())
        {
            case FORWARD -> " port " + plan.port();
            case REVERSE -> " port " + streamPort;
            case BIDIR -> " port " + plan.port() + " (out) and " + streamPort + " (in)";
        };
    }

    /**
     * {@return the line for a TCP close that did not complete, null when it did (or for udp and icmp)} A connection the
     * peer reset during the run, or bytes sent and never acknowledged (they may never have arrived): the figures are
     * not the transfer's, an error (exit 4). When everything was acknowledged (and received bytes count only in order)
     * the figures stand: a warning.
     */
    static String closeLine(final boolean udp, final TrafficReport report)
    {
        if (udp || (report.closed() && report.peerResets() == 0))
        {
            return null;
        }
        if (report.peerResets() > 0)
        {
            return String.format(Locale.ROOT, "pvnet gen: the peer reset %d connection%s during the run (above): " +
                "%s figures end there%s", report.peerResets(), report.peerResets() == 1 ? "" : "s",
                report.peerResets() == 1 ? "its" : "their", report.unacknowledged() > 0 ? String.format(Locale.ROOT,
                "; %,d bytes sent were never acknowledged", report.unacknowledged()) : "");
        }
        return report.unacknowledged() > 0 ? String.format(Locale.ROOT, "pvnet gen: %,d bytes sent were never " +
            "acknowledged: the peer stopped answering before the TCP close completed (connections reset)",
            report.unacknowledged()) : "pvnet gen: warning: the peer did not complete the TCP close (every byte sent " +
            "was acknowledged; connections reset)";
    }

    private int finish(final GenOptions.Plan plan, final TrafficReport report, final TrafficGenerator generator,
        final GenOutput output, final TcpResetLines resets)
    {
        final boolean forward = plan.direction() != DatagramSpec.Direction.REVERSE;
        final boolean stream = plan.direction() != DatagramSpec.Direction.FORWARD;
        final GenSummary summary = new GenSummary(new GenSummary.Run(plan.protoName(),
            plan.dst(), portText(plan), plan.udp(), plan.oneWay(), forward, stream, plan.rate(), plan.count(),
            plan.size(), plan.minSentPercent()), report, generator, output);
        final Map<String, Object> start = new LinkedHashMap<>();
        start.put("protocol", plan.proto());
        start.put("mode", plan.oneWay() ? "one-way" : plan.udp() && forward ? "echo" : plan.udp() ? "stream" : "tcp");
        start.put("tso", plan.tso());
        start.put("destination", plan.dst());
        start.put("port", plan.port());
        if (!plan.udp() && stream)
        {
            start.put("reverse_port", plan.reversePort());
        }
        start.put("flows", plan.flows());
        start.put("sizes", plan.mix().toString());
        start.put("direction", plan.direction().name().toLowerCase(Locale.ROOT));
        start.put("rate", plan.rate());
        start.put("window", plan.window());
        start.put("count", plan.count());
        start.put("duration_s", plan.durationNs() / 1e9);
        start.put("interval_s", plan.intervalNs() / 1e9);
        start.put("omit_s", plan.omitNs() / 1e9);
        if (!plan.udp())
        {
            summary.end().put("peer_reset", resets.json());
        }
        output.finish(start, summary.end(), summary.lines());
        return judge(err, closeLine(plan.udp(), report), report.unacknowledged() > 0 || report.peerResets() > 0,
            missingFinalReportsLine(report.counters().missingFinalReports()),
            summary.shortSend() ? summary.shortSendWarning() : null);
    }

    /**
     * {@return the line for one-way flows whose receiver's final report did not come within gen's 3 s wait, null when
     * every one came} Their figures are an earlier report's, so lost counts datagrams that may have arrived after it:
     * not the transfer's figures, an error (exit 5), as iperf3's "unable to receive results".
     *
     * @param missing {@code GenCounters.missingFinalReports()}.
     */
    static String missingFinalReportsLine(final long missing)
    {
        return missing == 0 ? null : String.format(Locale.ROOT, "pvnet gen: no final report from the receiver of %d " +
            "flow%s within 3 s: %s figures are an earlier report's, and lost includes datagrams that may have arrived",
            missing, missing == 1 ? "" : "s", missing == 1 ? "its" : "their");
    }

    /**
     * Prints what there is to say of a run that ended, each line when there is one: the TCP close line, the missing
     * final reports line, then the short-send warning (a run can have more than one, and the user sees each).
     * {@return the exit status: 4 when bytes sent were never acknowledged or the peer reset a connection (the worst),
     * else 5 when a receiver's final report did not come, else 3 on a short send, else 0}
     *
     * @param closeLine          {@link #closeLine}, or null.
     * @param unacknowledged     whether the TCP transfer failed: bytes sent never acknowledged, or a connection reset.
     * @param missingReportsLine {@link #missingFinalReportsLine}, or null when every final report came.
     * @param shortSendWarning   the short-send warning, or null when the run sent what was asked.
     */
    static int judge(final PrintStream err, final String closeLine, final boolean unacknowledged,
        final String missingReportsLine, final String shortSendWarning)
    {
        if (closeLine != null)
        {
            err.println(closeLine);
        }
        if (missingReportsLine != null)
        {
            err.println(missingReportsLine);
        }
        if (shortSendWarning != null)
        {
            err.println(shortSendWarning);
        }
        return unacknowledged ? 4 : missingReportsLine != null ? 5 : shortSendWarning != null ? 3 : 0;
    }
}

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
 * {@code --rate} times the duration), with a warning on stderr.
 */
@Command(name = "gen", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Generate UDP, ICMP echo or TCP (optionally TSO) traffic from a guest and report it as iperf3 does: " +
        "a line per interval, loss, round-trip percentiles, JSON.",
        "UDP is a one-way stream to port 5201 that the receiver (a pvnet guest) counts and reports, as iperf3 -u: " +
            "loss = sent - received as the receiver saw it; --echo has port 7 echo each datagram instead (round " +
            "trips). Both, and ICMP echo, are paced by default (a window of frames in flight beyond the receiver's " +
            "reports or the answers, --window), so a run measures the path's rate without filling its queues; " +
            "--rate or -b sends at a rate, --flood as fast as the ring takes frames.",
        "Units: Transfer and Bitrate count payload bytes (UDP/ICMP/TCP payload, as iperf3); Frames are Ethernet frames; " +
            "the summary also gives the frames' bytes.",
        "Exit: 0 done, 1 could not start, 2 bad option, 3 sent less than --min-sent %% of what was asked."})
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
            if (options.json != null)
            {
                jsonOut = "-".equals(options.json) ? out :
                    new PrintStream(options.json, java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        catch (final FileNotFoundException ex)
        {
            err.println("pvnet gen: --json=" + options.json + ": cannot write (" + ex.getMessage() + ")");
            return 2;
        }
        try (GuestNode node = GuestNode.open(plan.settings(), attach.waitNs()))
        {
            final IdleStrategy waiter = options.idle.newIdleStrategy(node.frontend(), IdleMode.spinWindowNs(), 50_000L);
            final TrafficGenerator generator = new TrafficGenerator(node.frontend(), node.stack(), node, waiter,
                new org.agrona.concurrent.SystemNanoClock());
            if (!generator.awaitConnected(attach.waitNs()))
            {
                err.println("pvnet gen: vif " + attach.vif + " did not connect (is pvnet switch running?)");
                return 1;
            }
            if (!generator.resolve(plan.dstIp(), 5_000_000_000L))
            {
                err.println("pvnet gen: no ARP reply from " + options.dst);
                return 1;
            }
            final boolean textToOut = !"-".equals(options.json);
            final GenOutput.Mode mode = switch (plan.direction())
            {
                case FORWARD -> plan.udp() ? plan.oneWay() ? GenOutput.Mode.ONE_WAY : GenOutput.Mode.ECHO :
                    GenOutput.Mode.TCP;
                case REVERSE -> plan.udp() ? GenOutput.Mode.STREAM : GenOutput.Mode.TCP_REVERSE;
                case BIDIR -> plan.udp() ? plan.oneWay() ? GenOutput.Mode.BOTH_ONE_WAY : GenOutput.Mode.BOTH :
                    GenOutput.Mode.TCP_BOTH;
            };
            final GenOutput output = new GenOutput(textToOut ? out : null, jsonOut, mode, options.flows);
            if (textToOut)
            {
                out.println("pvnet gen: " + describe(plan));
            }
            final TrafficReport report = plan.udp() ?
                generator.datagrams(new DatagramSpec(plan.icmp(), options.port, plan.mix(), options.flows,
                    Math.max(0, options.count), plan.durationNs(), options.rate, plan.direction(), plan.intervalNs(), plan.omitNs(), plan.window(),
                    plan.oneWay()), output) :
                generator.tcp(new TcpSpec(options.port, plan.reversePort(), options.sizes.get(0), options.tso,
                    options.flows, Math.max(0, options.count), plan.durationNs(), options.rate, plan.direction(), plan.intervalNs(), plan.omitNs()), output);
            if (!report.ok())
            {
                err.println("pvnet gen: " + report.failure());
                return 1;
            }
            return finish(plan, report, generator, output);
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
            options.proto + (options.tso ? " tso" : ""), options.dst, portText(plan), options.flows,
            options.flows == 1 ? "" : "s", plan.mix(),
            options.rate > 0 ? String.format(Locale.ROOT, "%,d frames/s", options.rate) : plan.window() > 0 ?
                String.format(Locale.ROOT, plan.direction() == DatagramSpec.Direction.REVERSE ?
                "the peer asked to pace to gen's reports (window up to %d)" : plan.oneWay() ?
                "paced by the receiver's reports (window up to %d)" : "paced to the answers (window up to %d)",
                plan.window()) : "as fast as possible",
            options.count > 0 ? String.format(Locale.ROOT, "%,d frames", options.count) :
                String.format(Locale.ROOT, "for %.1f s", plan.durationNs() / 1e9) + (options.omit > 0 ?
                String.format(Locale.ROOT, " after a %.1f s warm-up", options.omit) : ""),
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
            case FORWARD -> " port " + options.port;
            case REVERSE -> " port " + streamPort;
            case BIDIR -> " port " + options.port + " (out) and " + streamPort + " (in)";
        };
    }

    private int finish(final GenOptions.Plan plan, final TrafficReport report, final TrafficGenerator generator,
        final GenOutput output)
    {
        final boolean forward = plan.direction() != DatagramSpec.Direction.REVERSE;
        final boolean stream = plan.direction() != DatagramSpec.Direction.FORWARD;
        final GenSummary summary = new GenSummary(new GenSummary.Run(options.proto + (options.tso ? " tso" : ""),
            options.dst, portText(plan), plan.udp(), plan.oneWay(), forward, stream, options.rate, options.count,
            options.sizes.get(0), options.minSentPercent), report, generator, output);
        final Map<String, Object> start = new LinkedHashMap<>();
        start.put("protocol", options.proto);
        start.put("mode", plan.oneWay() ? "one-way" : plan.udp() && forward ? "echo" : plan.udp() ? "stream" : "tcp");
        start.put("tso", options.tso);
        start.put("destination", options.dst);
        start.put("port", options.port);
        if (!plan.udp() && stream)
        {
            start.put("reverse_port", plan.reversePort());
        }
        start.put("flows", options.flows);
        start.put("sizes", plan.mix().toString());
        start.put("direction", plan.direction().name().toLowerCase(Locale.ROOT));
        start.put("rate", options.rate);
        start.put("window", plan.window());
        start.put("count", Math.max(0, options.count));
        start.put("duration_s", plan.durationNs() / 1e9);
        start.put("interval_s", options.interval);
        start.put("omit_s", options.omit);
        output.finish(start, summary.end(), summary.lines());
        if (summary.shortSend())
        {
            err.println(summary.shortSendWarning());
            return 3;
        }
        return 0;
    }
}

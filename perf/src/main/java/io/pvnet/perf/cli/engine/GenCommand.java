package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.GenCounters;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.guest.SizeMix;
import io.pvnet.engine.guest.StreamSource;
import io.pvnet.engine.guest.TcpChargenServer;
import io.pvnet.engine.guest.TcpSpec;
import io.pvnet.engine.guest.TrafficGenerator;
import io.pvnet.engine.guest.TrafficReport;
import io.pvnet.engine.guest.DatagramSpec;
import io.pvnet.engine.guest.EchoWindow;
import io.pvnet.ring.event.IdleMode;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code pvnet gen}: a guest that generates traffic and reports like iperf3 (a line per interval and flow, a summary,
 * JSON with every interval) with pktgen's knobs (rate, count, size lists, IMIX, parallel flows). Resolves the
 * destination by ARP, then sends UDP datagrams to port 7 or ICMP echo requests (answered = echoes, each checked and
 * timed), has the peer stream to it ({@code --reverse}, {@code --bidir}: {@link StreamSource}), or runs a TCP
 * transfer to port 9 (or {@code --port}), optionally in TSO frames (answered = bytes acknowledged). The traffic itself
 * is {@link TrafficGenerator}'s, the output {@link GenOutput}'s; this class parses and checks the options, runs it and
 * judges the result.
 * <p>
 * Exit status: 0 done; 1 the run could not start (no switch, no ARP answer, no SYN-ACK, no stream); 2 a bad option;
 * 3 it sent (or, reversed, received) less than {@code --min-sent} percent of what was asked ({@code --count}, or
 * {@code --rate} times the duration), with a warning on stderr.
 */
@Command(name = "gen", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Generate UDP, ICMP echo or TCP (optionally TSO) traffic from a guest and report it as iperf3 does: " +
        "a line per interval, loss, round-trip percentiles, JSON.",
        "UDP and ICMP echo requests are paced to the answers by default (a window of requests in flight, --window), " +
            "so a run measures the path's rate without filling its queues; --rate or -b sends at a rate, --flood as " +
            "fast as the ring takes frames.",
        "Units: Transfer and Bitrate count payload bytes (UDP/ICMP/TCP payload, as iperf3); Frames are Ethernet frames; " +
            "the summary also gives the frames' bytes.",
        "Exit: 0 done, 1 could not start, 2 bad option, 3 sent less than --min-sent %% of what was asked."})
public final class GenCommand implements Callable<Integer>
{
    @picocli.CommandLine.Mixin
    io.pvnet.perf.harness.PollingOptions polling = new io.pvnet.perf.harness.PollingOptions();

    @picocli.CommandLine.Mixin
    GuestAttachOptions attach = new GuestAttachOptions();

    @Option(names = "--dst", required = true, paramLabel = "IP", description = "Destination (IPv4, on the link).")
    String dst;

    @Option(names = "--port", paramLabel = "P", description = "Destination port (default 7 for udp, 9 for tcp; with " +
        "tcp --reverse the sending server's port unless --reverse-port says it).")
    int port = -1;

    @Option(names = "--reverse-port", paramLabel = "P", description = "tcp --reverse/--bidir: the port of the server " +
        "that sends (default 19, a pvnet guest's chargen; a kernel socket that writes once it accepts).")
    int reversePort = -1;

    @Option(names = "--proto", paramLabel = "udp|tcp|icmp", description = "Protocol (default udp).")
    String proto = "udp";

    @Option(names = "--size", paramLabel = "N[,N...]", split = ",", hideParamSyntax = true,
        description = "Payload bytes per datagram, echo request, segment or TSO frame (default 1000); a list is sent " +
            "in turn, e.g. 64,576,1500.")
    List<Integer> sizes = new ArrayList<>(List.of(1000));

    @Option(names = "--imix", description = "Simple IMIX: IP packets of 40, 576 and 1500 bytes, 7:4:1 (udp, icmp).")
    boolean imix;

    @Option(names = {"-P", "--parallel"}, paramLabel = "N",
        description = "Parallel flows, each its own 5-tuple (source port / ICMP id 40000 + i; tcp: a connection per " +
            "flow and direction; default 1).")
    int flows = 1;

    @Option(names = {"-R", "--reverse"}, description = "The peer sends, gen receives. udp: a pvnet guest streams " +
        "on request from port " + StreamSource.PORT + "; loss from the datagrams' sequence numbers. tcp: gen " +
        "connects to a server that writes (a pvnet guest's chargen on 19, a kernel socket) and receives.")
    boolean reverse;

    @Option(names = "--bidir", description = "Both directions at once: udp echoes out and a stream in; tcp a " +
        "sending and a receiving connection per flow.")
    boolean bidir;

    @Option(names = "--tso", description = "TCP: send TSO frames (CSUM_PARTIAL + GSO size = MSS).")
    boolean tso;

    @Option(names = "--rate", paramLabel = "PPS", description = "Frames per second over all flows, per direction, " +
        "whatever is answered (tcp: gen's own sends only, the peer's follow TCP). Default for udp and icmp: paced to " +
        "the answers (--window).")
    long rate;

    @Option(names = {"-b", "--bitrate"}, paramLabel = "N[KMG]", description = "As --rate, in payload bits per second " +
        "(iperf3's -b): frames/s = N / (8 x the mean payload size).")
    String bitrate;

    @Option(names = "--window", paramLabel = "N", description = "udp, icmp without --rate: at most N echo requests " +
        "in flight (default " + EchoWindow.DEFAULT_MAX + "). gen paces itself to what the peer answers, as TCP's " +
        "congestion window: it grows while answers come back and shrinks on a loss or a queue (round trips well " +
        "above the run's smallest), so it runs at the path's rate with almost no loss. A peer that does not echo " +
        "(no answer for 0.25 s, or ICMP port unreachable: the kernel with nothing on the port) is sent to as the ring " +
        "takes frames.")
    int window = EchoWindow.DEFAULT_MAX;

    @Option(names = "--flood", description = "udp, icmp: send as fast as the ring takes frames, whatever is " +
        "answered (what the path drops shows as lost, and in the switch's counters).")
    boolean flood;

    @Option(names = "--count", paramLabel = "N", description = "Frames to send (udp, icmp; per direction) or " +
        "segments / TSO frames of --size bytes (tcp; receiving: N x --size bytes).")
    long count = -1;

    @Option(names = {"-t", "--duration"}, paramLabel = "S", description = "Seconds to send (default 1 unless --count).")
    double duration = -1;

    @Option(names = {"-O", "--omit"}, paramLabel = "S", description = "Warm up for S seconds before the measured " +
        "--duration, as iperf3 does: the same traffic (JIT compilation of every process on the path, TCP's slow start), " +
        "its interval lines marked (omitted), not counted (default 0; not with --count).")
    double omit;

    @Option(names = {"-i", "--interval"}, paramLabel = "S", description = "Seconds between interval lines (default 1; 0: " +
        "only the line for the whole run).")
    double interval = 1;

    @Option(names = "--json", paramLabel = "FILE", description = "Write one JSON document with every interval and the " +
        "totals to FILE ('-': stdout, instead of the text).")
    String json;

    @Option(names = "--min-sent", paramLabel = "PERCENT", description = "Warn and exit 3 when less than this share of " +
        "what was asked (--count, or --rate x duration) was sent (default 90).")
    double minSentPercent = 90;

    @Option(names = "--idle", paramLabel = "MODE", converter = io.pvnet.perf.harness.IdleConverter.class,
        description = "How gen waits when it has nothing to do (a full ring, a rate's next frame, answers on their " +
            "way): adaptive (default: spin 50 us, then sleep on the vif's event port up to 50 us, so a switch " +
            "sharing the core gets it), sleep, backoff, busy-spin (never yields the core); " +
            io.pvnet.perf.harness.IdleConverter.MEASURING_MODES)
    IdleMode idle = IdleMode.ADAPTIVE;

    PrintStream out = System.out;
    PrintStream err = System.err;

    /** The options, checked. */
    private record Plan(
        GuestNode.Settings settings, int dstIp, boolean udp, boolean icmp, SizeMix mix, DatagramSpec.Direction direction,
        long durationNs, long intervalNs, int reversePort, long omitNs, int window)
    {
    }

    @Override
    public Integer call() throws Exception
    {
        final Plan plan;
        try
        {
            plan = plan();
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
            if (json != null)
            {
                jsonOut = "-".equals(json) ? out : new PrintStream(json, java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        catch (final FileNotFoundException ex)
        {
            err.println("pvnet gen: --json=" + json + ": cannot write (" + ex.getMessage() + ")");
            return 2;
        }
        try (GuestNode node = GuestNode.open(plan.settings(), attach.waitNs()))
        {
            final IdleStrategy waiter = idle.newIdleStrategy(node.frontend(), IdleMode.spinWindowNs(), 50_000L);
            final TrafficGenerator generator = new TrafficGenerator(node.frontend(), node.stack(), node, waiter,
                new org.agrona.concurrent.SystemNanoClock());
            if (!generator.awaitConnected(attach.waitNs()))
            {
                err.println("pvnet gen: vif " + attach.vif + " did not connect (is pvnet switch running?)");
                return 1;
            }
            if (!generator.resolve(plan.dstIp(), 5_000_000_000L))
            {
                err.println("pvnet gen: no ARP reply from " + dst);
                return 1;
            }
            final boolean textToOut = !"-".equals(json);
            final GenOutput.Mode mode = switch (plan.direction())
            {
                case FORWARD -> plan.udp() ? GenOutput.Mode.ECHO : GenOutput.Mode.TCP;
                case REVERSE -> plan.udp() ? GenOutput.Mode.STREAM : GenOutput.Mode.TCP_REVERSE;
                case BIDIR -> plan.udp() ? GenOutput.Mode.BOTH : GenOutput.Mode.TCP_BOTH;
            };
            final GenOutput output = new GenOutput(textToOut ? out : null, jsonOut, mode, flows);
            if (textToOut)
            {
                out.println("pvnet gen: " + describe(plan));
            }
            final TrafficReport report = plan.udp() ?
                generator.datagrams(new DatagramSpec(plan.icmp(), port, plan.mix(), flows, Math.max(0, count),
                    plan.durationNs(), rate, plan.direction(), plan.intervalNs(), plan.omitNs(), plan.window()), output) :
                generator.tcp(new TcpSpec(port, plan.reversePort(), sizes.get(0), tso, flows, Math.max(0, count),
                    plan.durationNs(), rate, plan.direction(), plan.intervalNs(), plan.omitNs()), output);
            if (!report.ok())
            {
                err.println("pvnet gen: " + report.failure());
                return 1;
            }
            return finish(plan, report, generator.echoWindow(), output);
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

    private Plan plan()
    {
        final GuestNode.Settings settings = attach.settings(null, 1);
        final int dstIp = HostArguments.ipv4("--dst", dst).ipv4();
        if (!"udp".equals(proto) && !"tcp".equals(proto) && !"icmp".equals(proto))
        {
            throw new IllegalArgumentException("--proto=" + proto + " must be udp, tcp or icmp");
        }
        final boolean udp = !"tcp".equals(proto);
        final boolean icmp = "icmp".equals(proto);
        if (tso && udp)
        {
            throw new IllegalArgumentException("--tso needs --proto tcp");
        }
        if (flows < 1 || flows > TrafficGenerator.MAX_FLOWS)
        {
            throw new IllegalArgumentException("-P=" + flows + " must be in 1.." + TrafficGenerator.MAX_FLOWS);
        }
        if (!udp && (imix || sizes.size() > 1))
        {
            throw new IllegalArgumentException("--imix and size lists are for udp and icmp (tcp sends one segment size)");
        }
        if (!udp && reverse && (tso || rate > 0))
        {
            throw new IllegalArgumentException("--tso and --rate pace and shape gen's own sends: with tcp --reverse " +
                "the peer sends, as TCP lets it");
        }
        if (reversePort != -1 && (udp || !(reverse || bidir)))
        {
            throw new IllegalArgumentException("--reverse-port is for tcp --reverse or --bidir (udp streams come from " +
                "port " + StreamSource.PORT + ")");
        }
        if (reverse && bidir)
        {
            throw new IllegalArgumentException("--reverse and --bidir exclude each other");
        }
        if (icmp && (reverse || bidir))
        {
            throw new IllegalArgumentException("--reverse and --bidir need --proto udp (the peer streams UDP)");
        }
        if (imix && sizes.size() > 1)
        {
            throw new IllegalArgumentException("--imix and a --size list exclude each other");
        }
        final int maxSize = udp || tso ? TrafficGenerator.MAX_PAYLOAD : 1500 - 40;
        for (final int size : sizes)
        {
            if (size < 1 || size > maxSize)
            {
                throw new IllegalArgumentException("--size=" + size + " must be in 1.." + maxSize + " for " + proto +
                    (tso ? " with --tso" : ""));
            }
        }
        if ((reverse || bidir) && sizes.size() > io.pvnet.engine.guest.StreamRequestDescriptor.MAX_SIZES)
        {
            throw new IllegalArgumentException("--size: at most " + io.pvnet.engine.guest.StreamRequestDescriptor.MAX_SIZES +
                " sizes with --reverse or --bidir");
        }
        if (count >= 0 && duration >= 0)
        {
            throw new IllegalArgumentException("--count and --duration exclude each other");
        }
        if (count == 0 || rate < 0 || duration == 0 || duration > 86_400)
        {
            throw new IllegalArgumentException("--count, --rate and --duration must be positive (duration <= 86400)");
        }
        if (interval < 0 || interval > 3600 || (interval > 0 && interval < 0.01))
        {
            throw new IllegalArgumentException("--interval=" + interval + " must be 0 or 0.01..3600 seconds");
        }
        if (minSentPercent < 0 || minSentPercent > 100)
        {
            throw new IllegalArgumentException("--min-sent=" + minSentPercent + " must be a percentage (0..100)");
        }
        final boolean portGiven = port != -1;
        if (port == -1)
        {
            port = udp ? GuestStack.ECHO_PORT : GuestStack.DISCARD_PORT;
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("--port=" + port + " must be in 1..65535");
        }
        if (reversePort == -1)
        {
            reversePort = reverse && portGiven ? port : TcpChargenServer.PORT;
        }
        if (reversePort < 1 || reversePort > 65535)
        {
            throw new IllegalArgumentException("--reverse-port=" + reversePort + " must be in 1..65535");
        }
        if (!udp && bidir && reversePort == port)
        {
            throw new IllegalArgumentException("--port and --reverse-port must differ with --bidir (both directions " +
                "leave from the same source ports)");
        }
        final SizeMix mix = imix ? SizeMix.imix(TrafficGenerator.DATAGRAM_HEADER_BYTES) :
            SizeMix.of(sizes.stream().mapToInt(Integer::intValue).toArray());
        final DatagramSpec.Direction direction = reverse ? DatagramSpec.Direction.REVERSE :
            bidir ? DatagramSpec.Direction.BIDIR : DatagramSpec.Direction.FORWARD;
        final long durationNs = duration > 0 ? (long)(duration * 1e9) : count > 0 ? 86_400_000_000_000L : 1_000_000_000L;
        if (omit < 0 || omit > 3600 || (omit > 0 && count > 0))
        {
            throw new IllegalArgumentException("--omit=" + omit + " must be 0..3600 seconds, and goes with --duration, " +
                "not --count");
        }
        if (bitrate != null)
        {
            if (rate > 0)
            {
                throw new IllegalArgumentException("--rate and --bitrate exclude each other");
            }
            rate = framesPerSecond(bitrate, mix);
        }
        if (window < EchoWindow.MIN || window > 1 << 20)
        {
            throw new IllegalArgumentException("--window=" + window + " must be in " + EchoWindow.MIN + ".." + (1 << 20));
        }
        if (flood && (!udp || rate > 0))
        {
            throw new IllegalArgumentException("--flood is for udp and icmp without --rate or --bitrate");
        }
        final int echoWindow = udp && rate == 0 && !flood && direction != DatagramSpec.Direction.REVERSE ? window : 0;
        return new Plan(settings, dstIp, udp, icmp, mix, direction, durationNs, (long)(interval * 1e9), reversePort,
            (long)(omit * 1e9), echoWindow);
    }

    /**
     * {@return frames per second of a payload bitrate such as 100M, 1.5G, 64k (iperf3's -b; K, M, G in powers of 1000)
     * for {@code mix}'s mean payload}
     */
    static long framesPerSecond(final String bitrate, final SizeMix mix)
    {
        final String text = bitrate.trim();
        final char unit = text.isEmpty() ? ' ' : Character.toUpperCase(text.charAt(text.length() - 1));
        final double scale = unit == 'K' ? 1e3 : unit == 'M' ? 1e6 : unit == 'G' ? 1e9 : 1;
        final double bits;
        try
        {
            bits = Double.parseDouble(scale == 1 ? text : text.substring(0, text.length() - 1)) * scale;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--bitrate=" + bitrate + " must be a number of bits/s with an " +
                "optional K, M or G (e.g. 100M)");
        }
        long payloadBytes = 0;
        for (final int size : mix.schedule())
        {
            payloadBytes += size;
        }
        final double meanBits = 8.0 * payloadBytes / mix.schedule().length;
        if (!(bits > 0) || bits / meanBits > 1e9)
        {
            throw new IllegalArgumentException("--bitrate=" + bitrate + " must be positive, at most 1e9 frames/s");
        }
        return Math.max(1, Math.round(bits / meanBits));
    }

    private String describe(final Plan plan)
    {
        return String.format(Locale.ROOT, "%s to %s%s, %d flow%s, %s payload bytes, %s, %s%s",
            proto + (tso ? " tso" : ""), dst, portText(plan), flows, flows == 1 ? "" : "s", plan.mix(),
            rate > 0 ? String.format(Locale.ROOT, "%,d frames/s", rate) : plan.window() > 0 ?
                String.format(Locale.ROOT, "paced to the answers (window up to %d)", plan.window()) : "as fast as possible",
            count > 0 ? String.format(Locale.ROOT, "%,d frames", count) : String.format(Locale.ROOT, "for %.1f s",
                plan.durationNs() / 1e9) + (omit > 0 ? String.format(Locale.ROOT, " after a %.1f s warm-up", omit) : ""),
            plan.direction() == DatagramSpec.Direction.FORWARD ? "" :
                plan.direction() == DatagramSpec.Direction.REVERSE ? ", reverse (the peer sends)" : ", both directions");
    }

    /** @return " port P" (the stream port when reversed), nothing for ICMP. */
    private String portText(final Plan plan)
    {
        if (plan.icmp())
        {
            return "";
        }
        final int streamPort = plan.udp() ? StreamSource.PORT : plan.reversePort();
        return switch (plan.direction())
        {
            case FORWARD -> " port " + port;
            case REVERSE -> " port " + streamPort;
            case BIDIR -> " port " + port + " (out) and " + streamPort + " (in)";
        };
    }

    /** @return how the forward datagrams were paced, for the summary line. */
    private String pacing(final EchoWindow echoWindow)
    {
        if (echoWindow == null)
        {
            return rate > 0 ? "paced by --rate" : "not paced (--flood)";
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

    private int finish(final Plan plan, final TrafficReport report, final EchoWindow echoWindow, final GenOutput output)
    {
        final GenCounters counters = report.counters();
        final double seconds = Math.max(1e-9, report.elapsedNs() / 1e9);
        final boolean forward = plan.direction() != DatagramSpec.Direction.REVERSE;
        final boolean stream = plan.direction() != DatagramSpec.Direction.FORWARD;
        final long frames = report.frames();
        final long frameBytes = GenCounters.sum(counters.snapshot(GenCounters::sentFrameBytes));
        final long payload = report.payloadBytes();
        final long answered = report.echoes();
        final long lost = plan.udp() ? Math.max(0, frames - answered) : 0;
        final long received = report.received();
        final long expected = Math.max(received, report.receivedExpected());
        final long streamLost = expected - received;
        final long receivedPayload = GenCounters.sum(counters.snapshot(GenCounters::receivedPayloadBytes));
        // what was asked: --count, or --rate for the duration (frames; for tcp --count is segments, and what tcp's
        // receiving connections wait for is --count x --size bytes)
        final boolean askedBytes = !forward && !plan.udp();
        final long asked = askedBytes ? Math.max(0, count) * sizes.get(0) :
            count > 0 ? count : rate > 0 ? (long)(rate * (report.elapsedNs() / 1e9)) : 0;
        final long got = forward ? frames : askedBytes ? receivedPayload : received;
        final boolean shortSend = asked > 0 && got < asked * minSentPercent / 100.0;

        final List<String> lines = new ArrayList<>();
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "pvnet gen: %s to %s%s: ",
            proto + (tso ? " tso" : ""), dst, portText(plan)));
        if (forward)
        {
            line.append(String.format(Locale.ROOT, "sent %d frames (%d frame bytes, %d payload bytes) in %.3f s " +
                "(%.3f Mpps, %.3f Gbit/s payload), ", frames, frameBytes, payload, seconds, frames / seconds / 1e6,
                payload * 8 / seconds / 1e9));
            if (plan.udp())
            {
                line.append(String.format(Locale.ROOT, "answered %d (%s echoes, %d payload bytes, %d bad), lost %d (%s)",
                    answered, proto, report.answeredPayloadBytes(), report.badEchoes(), lost,
                    GenOutput.percent(lost, frames)));
            }
            else
            {
                line.append(String.format(Locale.ROOT, "answered %d bytes acknowledged, retransmit rounds %d",
                    report.answeredPayloadBytes(), counters.retransmitRounds()));
            }
            line.append(String.format(Locale.ROOT, ", ring full %d times", counters.ringFullWaits()));
            if (plan.udp())
            {
                line.append(", ").append(pacing(echoWindow));
            }
        }
        if (stream)
        {
            line.append(forward ? "; " : "").append(String.format(Locale.ROOT,
                "received %d frames (%d payload bytes) in %.3f s (%.3f Mpps, %.3f Gbit/s payload), ", received,
                receivedPayload, seconds, received / seconds / 1e6, receivedPayload * 8 / seconds / 1e9));
            line.append(plan.udp() ? String.format(Locale.ROOT, "lost %d of %d (%s)", streamLost, expected,
                GenOutput.percent(streamLost, expected)) : String.format(Locale.ROOT,
                "in order (%d segments after a gap dropped and resent)", counters.receivedOutOfOrder()));
        }
        if (!plan.udp())
        {
            line.append(report.closed() ? ", closed" : ", close not acknowledged");
        }
        lines.add(line.toString());

        final Map<String, Object> start = new LinkedHashMap<>();
        start.put("protocol", proto);
        start.put("tso", tso);
        start.put("destination", dst);
        start.put("port", port);
        if (!plan.udp() && stream)
        {
            start.put("reverse_port", plan.reversePort());
        }
        start.put("flows", flows);
        start.put("sizes", plan.mix().toString());
        start.put("direction", plan.direction().name().toLowerCase(Locale.ROOT));
        start.put("rate", rate);
        start.put("count", Math.max(0, count));
        start.put("duration_s", plan.durationNs() / 1e9);
        start.put("interval_s", interval);
        start.put("omit_s", omit);
        final Map<String, Object> end = new LinkedHashMap<>();
        end.put("seconds", seconds);
        if (forward)
        {
            final Map<String, Object> sent = new LinkedHashMap<>();
            sent.put("frames", frames);
            sent.put("frame_bytes", frameBytes);
            sent.put("payload_bytes", payload);
            sent.put("frames_per_second", frames / seconds);
            sent.put("payload_bits_per_second", payload * 8 / seconds);
            sent.put("answered", plan.udp() ? answered : 0);
            sent.put("answered_payload_bytes", report.answeredPayloadBytes());
            sent.put("bad", report.badEchoes());
            sent.put("lost", lost);
            sent.put("lost_percent", frames == 0 ? 0.0 : 100.0 * lost / frames);
            sent.put("ring_full_waits", counters.ringFullWaits());
            if (plan.udp())
            {
                final Map<String, Object> paced = new LinkedHashMap<>();
                paced.put("mode", echoWindow == null ? rate > 0 ? "rate" : "flood" :
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
                sent.put("pacing", paced);
            }
            if (!plan.udp())
            {
                sent.put("retransmit_rounds", counters.retransmitRounds());
            }
            end.put("sent", sent);
        }
        if (stream)
        {
            final Map<String, Object> in = new LinkedHashMap<>();
            in.put("frames", received);
            in.put("payload_bytes", receivedPayload);
            in.put("frames_per_second", received / seconds);
            in.put("payload_bits_per_second", receivedPayload * 8 / seconds);
            if (plan.udp())
            {
                in.put("expected", expected);
                in.put("lost", streamLost);
                in.put("lost_percent", expected == 0 ? 0.0 : 100.0 * streamLost / expected);
            }
            else
            {
                in.put("out_of_order", counters.receivedOutOfOrder());
            }
            end.put("received", in);
        }
        final List<Map<String, Object>> perFlow = new ArrayList<>();
        for (int flow = 0; flow < counters.flows(); flow++)
        {
            final Map<String, Object> f = new LinkedHashMap<>();
            f.put("id", flow + 1);
            f.put("source_port", TrafficGenerator.SOURCE_PORT + flow);
            f.put("sent_frames", counters.sentFrames(flow));
            f.put("sent_payload_bytes", counters.sentPayloadBytes(flow));
            f.put("answered", counters.answeredFrames(flow));
            f.put("answered_payload_bytes", counters.answeredPayloadBytes(flow));
            f.put("received_frames", counters.receivedFrames(flow));
            f.put("received_payload_bytes", counters.receivedPayloadBytes(flow));
            if (plan.udp())
            {
                f.put("received_expected", counters.receivedExpected(flow));
            }
            else
            {
                f.put("retransmit_rounds", counters.retransmitRounds(flow));
            }
            perFlow.add(f);
        }
        end.put("streams", perFlow);
        if (!plan.udp())
        {
            end.put("closed", report.closed());
        }
        end.put("asked", asked);
        end.put("short_send", shortSend);
        output.finish(start, end, lines);
        if (shortSend)
        {
            err.println(String.format(Locale.ROOT, "pvnet gen: warning: %s %,d of %,d %s asked (%.1f %%, below " +
                "--min-sent %.0f %%): the %s could not keep up (ring full %d times)", forward ? "sent" : "received",
                got, asked, askedBytes ? "bytes" : "frames", 100.0 * got / asked, minSentPercent,
                forward ? "vif or the switch" : "peer or the path", counters.ringFullWaits()));
            return 3;
        }
        return 0;
    }
}

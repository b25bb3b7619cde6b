package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.DatagramSpec;
import io.pvnet.engine.guest.EchoWindow;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.guest.SizeMix;
import io.pvnet.engine.guest.StreamCredit;
import io.pvnet.engine.guest.StreamSource;
import io.pvnet.engine.guest.TcpChargenServer;
import io.pvnet.engine.guest.TrafficGenerator;
import io.pvnet.ring.event.IdleMode;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code pvnet gen} ({@link GenCommand}), their help and their checks: {@link #plan} checks them
 * together and resolves the defaults that depend on each other into an immutable {@link Plan}, which is all the rest
 * of gen reads; the fields keep what the user gave. A picocli mixin; its options are
 * listed in {@code gen --help} in the order declared here.
 * <p>
 * Threading: picocli fills it and the command's thread plans it, once.
 */
final class GenOptions
{
    @Option(names = "--dst", required = true, paramLabel = "IP", description = "Destination (IPv4, on the link).")
    String dst;

    @Option(names = "--port", paramLabel = "P", description = "Destination port (default " + StreamSource.PORT +
        " for udp, 7 for udp --echo, 9 for tcp; with tcp --reverse the sending server's port unless --reverse-port " +
        "says it).")
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

    @Option(names = "--echo", description = "udp: have the peer echo each datagram (port 7: a pvnet guest, a kernel " +
        "UDP echo socket) and count the echoes, with round-trip percentiles, instead of the one-way stream its " +
        "receiver counts (the default, as iperf3's; it needs a pvnet guest on " + StreamSource.PORT + ").")
    boolean echo;

    @Option(names = {"-R", "--reverse"}, description = "The peer sends, gen receives. udp: a pvnet guest streams " +
        "on request from port " + StreamSource.PORT + ", paced by gen's reports (--window; --flood or --rate: " +
        "unpaced or at the rate); loss from the datagrams' sequence numbers. tcp: gen connects to a server that " +
        "writes (a pvnet guest's chargen on 19, a kernel socket) and receives.")
    boolean reverse;

    @Option(names = "--bidir", description = "Both directions at once: udp a one-way stream out (echoes with " +
        "--echo) and a stream in; tcp a sending and a receiving connection per flow.")
    boolean bidir;

    @Option(names = "--tso", description = "TCP: send TSO frames (CSUM_PARTIAL + GSO size = MSS).")
    boolean tso;

    @Option(names = "--rate", paramLabel = "PPS", description = "Frames per second over all flows, per direction, " +
        "whatever is reported or answered (tcp: gen's own sends only, the peer's follow TCP). Default for udp and " +
        "icmp: paced by the receiver's reports or the answers (--window).")
    long rate;

    @Option(names = {"-b", "--bitrate"}, paramLabel = "N[KMG]", description = "As --rate, in payload bits per second " +
        "(iperf3's -b): frames/s = N / (8 x the mean payload size).")
    String bitrate;

    @Option(names = "--window", paramLabel = "N", description = "udp, icmp without --rate: at most N frames in flight " +
        "per direction. A one-way or reverse stream: datagrams beyond the receiver's latest report (default " +
        StreamCredit.DEFAULT_MAX + ", fewer for large datagrams: at most " + StreamCredit.DEFAULT_BYTES / 1024 +
        " KiB of frames, under the switch's queue to a vif), halved on a reported loss. Echoes (--echo, icmp): " +
        "requests not yet answered (default " + EchoWindow.DEFAULT_MAX + "), a window that grows while answers come " +
        "back and shrinks on a loss or a queue; a peer that does not echo (no answer for 0.25 s, or ICMP port " +
        "unreachable) is sent to as the ring takes frames.")
    int window = -1;

    @Option(names = "--flood", description = "udp, icmp: send as fast as the ring takes frames, whatever is reported " +
        "or answered (what the path drops shows as lost, and in the switch's counters); with --reverse the peer does.")
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

    /**
     * What a run of {@code gen} does: the options checked together, with the defaults that depend on others resolved.
     * Immutable; the options it was planned from stay as the user gave them.
     *
     * @param settings       the guest's attach settings (region, vif, address).
     * @param dst            the destination as given; {@code dstIp} as an IPv4 address.
     * @param proto          udp, tcp or icmp.
     * @param udp            not tcp (udp or icmp).
     * @param icmp           icmp echo.
     * @param tso            tcp sends TSO frames.
     * @param port           the destination port (the protocol's default when none was given).
     * @param reversePort    tcp --reverse/--bidir: the port of the server that sends.
     * @param flows          parallel flows.
     * @param mix            payload sizes (a size list, or the simple IMIX).
     * @param size           the first --size: each tcp segment's or TSO frame's payload.
     * @param direction      forward, reverse or both.
     * @param count          frames (udp, icmp) or segments (tcp) to send, 0 for a duration.
     * @param durationNs     longest run.
     * @param intervalNs     between interval lines, 0 for none but the last.
     * @param omitNs         the warm-up before the measured time.
     * @param rate           frames a second (from --rate or --bitrate), 0 for none.
     * @param window         udp, icmp: most frames in flight, 0 unpaced (a rate, --flood, tcp).
     * @param oneWay         a one-way udp stream the receiver counts.
     * @param minSentPercent the share of what was asked below which the run exits 3.
     * @param json           the JSON file, "-" for stdout, null for none.
     * @param idle           how gen waits.
     */
    record Plan(
        GuestNode.Settings settings, String dst, int dstIp, String proto, boolean udp, boolean icmp, boolean tso, int port,
        int reversePort, int flows, SizeMix mix, int size, DatagramSpec.Direction direction, long count, long durationNs,
        long intervalNs, long omitNs, long rate, int window, boolean oneWay, double minSentPercent, String json,
        IdleMode idle)
    {
        /** {@return the protocol as the output names it: "tcp tso" for TSO frames} */
        String protoName()
        {
            return proto + (tso ? " tso" : "");
        }
    }

    /**
     * Checks the options together and resolves the defaults that depend on others (the port, the reverse port, the rate
     * from {@link #bitrate}, the window) into a {@link Plan}; the options themselves are left as given.
     *
     * @param attach the guest's attach options (region, vif, address).
     * @return the checked plan of the run.
     * @throws IllegalArgumentException naming the option, {@code --name=value}, when one is bad or two exclude each other.
     */
    Plan plan(final GuestAttachOptions attach)
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
        if (echo && !udp)
        {
            throw new IllegalArgumentException("--echo is for udp (and icmp, which is always echoed): tcp is " +
                "acknowledged, not echoed");
        }
        if (flows < 1 || flows > TrafficGenerator.MAX_FLOWS)
        {
            throw new IllegalArgumentException("-P=" + flows + " must be in 1.." + TrafficGenerator.MAX_FLOWS);
        }
        if (!udp && (imix || sizes.size() > 1))
        {
            throw new IllegalArgumentException("--imix and size lists are for udp and icmp (tcp sends one segment size)");
        }
        if (!udp && reverse && (tso || rate > 0 || bitrate != null))
        {
            final String given = tso ? "--tso" : bitrate != null ? "-b/--bitrate" : "--rate";
            throw new IllegalArgumentException(given + " is for gen's own sends: with tcp --reverse the peer sends, " +
                "as TCP lets it");
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
        final boolean portGiven = this.port != -1;
        // a one-way stream, counted by its receiver (iperf3's UDP test), unless echoed or reversed
        final boolean oneWay = udp && !icmp && !echo && !reverse;
        final int port = portGiven ? this.port :
            oneWay ? StreamSource.PORT : udp ? GuestStack.ECHO_PORT : GuestStack.DISCARD_PORT;
        if (oneWay)
        {
            for (final int size : imix ? new int[] {12} : sizes.stream().mapToInt(Integer::intValue).toArray())
            {
                if (size < io.pvnet.engine.guest.GenPayloadDescriptor.LENGTH)
                {
                    throw new IllegalArgumentException("--size=" + size + " must be at least " +
                        io.pvnet.engine.guest.GenPayloadDescriptor.LENGTH + " for a one-way udp stream (each datagram " +
                        "carries its sequence number and send time; --echo sends smaller ones)");
                }
            }
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("--port=" + port + " must be in 1..65535");
        }
        final int reversePort = this.reversePort != -1 ? this.reversePort :
            reverse && portGiven ? port : TcpChargenServer.PORT;
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
        if (bitrate != null && this.rate > 0)
        {
            throw new IllegalArgumentException("--rate and --bitrate exclude each other");
        }
        final long rate = bitrate != null ? framesPerSecond(bitrate, mix) : this.rate;
        if (window != -1 && (window < EchoWindow.MIN || window > 1 << 20))
        {
            throw new IllegalArgumentException("--window=" + window + " must be in " + EchoWindow.MIN + ".." + (1 << 20));
        }
        if (flood && (!udp || rate > 0))
        {
            throw new IllegalArgumentException("--flood is for udp and icmp without --rate or --bitrate");
        }
        final boolean echoed = icmp || (udp && echo && !reverse);
        final int defaultWindow = echoed ? EchoWindow.DEFAULT_MAX :
            StreamCredit.defaultWindow(io.pvnet.checksum.packet.EthernetHeader.LENGTH +
                TrafficGenerator.DATAGRAM_HEADER_BYTES + (int)meanPayload(mix));
        final int paced = udp && rate == 0 && !flood ? window == -1 ? defaultWindow : window : 0;
        return new Plan(settings, dst, dstIp, proto, udp, icmp, tso, port, reversePort, flows, mix, sizes.get(0),
            direction, Math.max(0, count), durationNs, (long)(interval * 1e9), (long)(omit * 1e9), rate, paced, oneWay,
            minSentPercent, json, idle);
    }

    /** @return the mean payload bytes of {@code mix}'s cycle (the default window's and --bitrate's). */
    private static double meanPayload(final SizeMix mix)
    {
        long total = 0;
        for (final int size : mix.schedule())
        {
            total += size;
        }
        return (double)total / mix.schedule().length;
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
        final double meanBits = 8.0 * meanPayload(mix);
        if (!(bits > 0) || bits / meanBits > 1e9)
        {
            throw new IllegalArgumentException("--bitrate=" + bitrate + " must be positive, at most 1e9 frames/s");
        }
        return Math.max(1, Math.round(bits / meanBits));
    }
}

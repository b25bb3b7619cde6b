package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.guest.TrafficGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * {@code pvnet gen --region PATH --vif I --ip ADDR/PREFIX --dst IP [--proto udp|tcp] [--size N] [--tso] [--rate PPS]
 * [--count N | --duration S]}: a guest that generates traffic. Resolves the destination by ARP, then sends UDP
 * datagrams of {@code size} payload bytes to port 7 (answered = echoes received), or opens a TCP connection to port 9
 * (or {@code --port}) and sends {@code size}-byte segments, or with {@code --tso} TSO frames of {@code size} bytes that
 * the switch or the kernel splits (answered = bytes acknowledged), then closes it. Reports what was sent and answered.
 * The traffic itself is {@link TrafficGenerator}'s; this class parses and checks the options and prints the report.
 */
@Command(name = "gen", mixinStandardHelpOptions = true,
    description = "Generate UDP or TCP (optionally TSO) traffic from a guest and report what was sent and answered.")
public final class GenCommand implements Callable<Integer>
{
    @Option(names = "--region", required = true, paramLabel = "PATH", description = "The switch's region file.")
    String region;

    @Option(names = "--vif", required = true, paramLabel = "I", description = "Which vif of the switch (1..N).")
    int vif;

    @Option(names = "--ip", required = true, paramLabel = "ADDR/PREFIX", description = "This guest's IPv4 address.")
    String ip;

    @Option(names = "--mac", paramLabel = "MAC", description = "MAC address (default 00:16:3e:00:I:00).")
    String mac;

    @Option(names = "--dst", required = true, paramLabel = "IP", description = "Destination (IPv4, on the link).")
    String dst;

    @Option(names = "--port", paramLabel = "P", description = "Destination port (default 7 for udp, 9 for tcp).")
    int port = -1;

    @Option(names = "--proto", paramLabel = "udp|tcp|icmp", description = "Protocol (default udp).")
    String proto = "udp";

    @Option(names = "--size", paramLabel = "N", description = "Payload bytes per datagram/segment/TSO frame (default 1000).")
    int size = 1000;

    @Option(names = "--tso", description = "TCP: send TSO frames (CSUM_PARTIAL + GSO size = MSS).")
    boolean tso;

    @Option(names = "--rate", paramLabel = "PPS", description = "Frames per second (default: as fast as possible).")
    long rate;

    @Option(names = "--count", paramLabel = "N", description = "Frames (udp) or bytes/size segments (tcp) to send.")
    long count = -1;

    @Option(names = "--duration", paramLabel = "S", description = "Seconds to send (default 1 unless --count).")
    double duration = -1;

    @Option(names = "--wait", paramLabel = "SECONDS", description = "How long to wait for the switch (default 20).")
    int waitSeconds = 20;

    @Option(names = "--idle", paramLabel = "MODE", converter = io.pvnet.perf.harness.IdleConverter.class,
        description = "How gen waits between frames of a --rate and for answers: busy-spin (default: a generator " +
            "measures, it does not sleep), or sleep / adaptive (sleep on the vif's event port, at most one frame gap " +
            "or 1 ms), backoff.")
    io.pvnet.ring.event.IdleMode idle = io.pvnet.ring.event.IdleMode.BUSY_SPIN;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception
    {
        final GuestNode.Settings settings;
        final boolean udp;
        final int dstIp;
        try
        {
            settings = GuestCommand.settings(region, vif, ip, null, mac);
            dstIp = HostArguments.ipv4("--dst", dst).ipv4();
            if (!"udp".equals(proto) && !"tcp".equals(proto) && !"icmp".equals(proto))
            {
                throw new IllegalArgumentException("--proto=" + proto + " must be udp, tcp or icmp");
            }
            udp = !"tcp".equals(proto);
            if (tso && udp)
            {
                throw new IllegalArgumentException("--tso needs --proto tcp");
            }
            final int maxSize = udp || tso ? TrafficGenerator.MAX_PAYLOAD : 1500 - 40;
            if (size < 1 || size > maxSize)
            {
                throw new IllegalArgumentException("--size=" + size + " must be in 1.." + maxSize + " for " + proto +
                    (tso ? " with --tso" : ""));
            }
            if (count >= 0 && duration >= 0)
            {
                throw new IllegalArgumentException("--count and --duration exclude each other");
            }
            if (count == 0 || rate < 0 || duration == 0 || duration > 86_400)
            {
                throw new IllegalArgumentException("--count, --rate and --duration must be positive (duration <= 86400)");
            }
            if (port == -1)
            {
                port = udp ? GuestStack.ECHO_PORT : GuestStack.DISCARD_PORT;
            }
            if (port < 1 || port > 65535)
            {
                throw new IllegalArgumentException("--port=" + port + " must be in 1..65535");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("pvnet gen: " + ex.getMessage());
            return 2;
        }
        try (GuestNode node = GuestNode.open(settings, waitSeconds * 1_000_000_000L))
        {
            // the generator polls its node between sends; an idling node sleeps on the vif's port when nothing came
            final long maxSleepNs = rate > 0 ? Math.max(1_000L, 1_000_000_000L / rate) : 1_000_000L;
            final org.agrona.concurrent.IdleStrategy idleStrategy =
                idle.newIdleStrategy(node.frontend(), io.pvnet.ring.event.IdleMode.spinWindowNs(), maxSleepNs);
            final org.agrona.concurrent.Agent poller = idle == io.pvnet.ring.event.IdleMode.BUSY_SPIN ? node :
                new org.agrona.concurrent.Agent()
                {
                    @Override
                    public int doWork()
                    {
                        final int work = node.doWork();
                        idleStrategy.idle(work);
                        return work;
                    }

                    @Override
                    public String roleName()
                    {
                        return node.roleName();
                    }
                };
            final TrafficGenerator generator = new TrafficGenerator(node.frontend(), node.stack(), poller);
            if (!generator.awaitConnected(waitSeconds * 1_000_000_000L))
            {
                err.println("pvnet gen: vif " + vif + " did not connect (is pvnet switch running?)");
                return 1;
            }
            if (!generator.resolve(dstIp, 5_000_000_000L))
            {
                err.println("pvnet gen: no ARP reply from " + dst);
                return 1;
            }
            final long durationNs = duration > 0 ? (long)(duration * 1e9) : count > 0 ? Long.MAX_VALUE / 4 : 1_000_000_000L;
            final TrafficGenerator.Report report = udp ?
                generator.udp(port, size, "icmp".equals(proto), count, durationNs, rate) :
                generator.tcp(port, size, tso, count, durationNs, rate);
            if (!report.ok())
            {
                err.println("pvnet gen: " + report.failure());
                return 1;
            }
            report(report, udp ?
                "answered " + report.echoes() + " (" + proto + " echoes, " + report.echoBytes() + " bytes, " +
                    report.badEchoes() + " bad)" :
                "answered " + report.acknowledgedBytes() + " bytes acknowledged, retransmit rounds " +
                    report.retransmitRounds() + (report.closed() ? ", closed" : ", close not acknowledged"));
            return 0;
        }
        catch (final IllegalStateException ex)
        {
            err.println("pvnet gen: " + ex.getMessage());
            return 1;
        }
    }

    private void report(final TrafficGenerator.Report report, final String answered)
    {
        final double seconds = report.elapsedNs() / 1e9;
        out.printf("pvnet gen: %s to %s port %d: sent %d frames, %d bytes in %.3f s (%.3f Mpps, %.3f Gbit/s), %s, " +
            "ring-busy %d%n", proto + (tso ? " tso" : ""), dst, port, report.frames(), report.bytes(), seconds,
            report.frames() / seconds / 1e6, report.bytes() * 8 / seconds / 1e9, answered, report.ringBusy());
        out.flush();
    }
}

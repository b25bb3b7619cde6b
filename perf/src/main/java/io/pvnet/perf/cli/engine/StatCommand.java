package io.pvnet.perf.cli.engine;

import io.pvnet.engine.SwitchCounters;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.engine.control.AdminClient;
import io.pvnet.engine.control.ProcessKind;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.share.LinuxException;
import io.pvnet.ring.share.SealedMemory;
import io.pvnet.ring.region.RegionException;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code pvnet stat REGION}: every live counter of a region (per vif, and the switch's per-port, bridge, router and
 * capture counters) read from another process (a running switch's through its control socket {@code REGION.sock}:
 * the switch hands its administrator the counters' memory read-only; an in-process region such as
 * {@code vif-run}'s from its file), as AeronStat and {@code ip -s link} together: totals with per-second
 * rates beside them, refreshed every interval, with {@code --watch} redrawing in place. Flags a vif whose backend
 * heartbeat stopped and a region whose creator is gone. Exit 0 after {@code --count} rounds, 1 when the region cannot
 * be read (missing, not a pvnet region, gone while watching), 2 for bad options.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = {"Show every live counter of a region (vifs, switch ports, bridge, router, captures) with per-second " +
        "rates, refreshed every second (as AeronStat and ip -s link).",
        "Exit status: 0 done, 1 region missing or unreadable, 2 bad options."})
public final class StatCommand implements Callable<Integer>
{
    /**
     * A backend whose heartbeat is older than this is shown as gone: two and a half of its intervals
     * ({@code VifPoller.HEARTBEAT_NS}, 2 s), so a stamp late by a loaded machine is not called gone.
     */
    static final long HEARTBEAT_TIMEOUT_MS = 5_000;
    /** Clears a terminal and puts the cursor home (ANSI), for {@code --watch}. */
    static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Parameters(index = "0", paramLabel = "REGION", description = "Region file path, or name under /dev/shm/pvnet-NAME.")
    String region;

    @Option(names = "--filter", paramLabel = "REGEX", description = "Only counters whose label matches.")
    String filter;

    @Option(names = {"--vif", "--port"}, paramLabel = "NAME",
        description = "Only counters of this vif or port: vif1.0 (also vif1, 1.0, xnb1.0), a TAP name, vxlan0, a capture file.")
    String port;

    @Option(names = "--count", paramLabel = "N", description = "Refresh N times, then exit (default: until interrupted).")
    int count = Integer.MAX_VALUE;

    @Option(names = "--interval", paramLabel = "MS", description = "Refresh interval (default 1000).")
    long intervalMs = 1000;

    @Option(names = "--nonzero", description = "Hide counters that are zero.")
    boolean nonZero;

    @Option(names = {"-w", "--watch"}, description = "Redraw in place (clear the terminal each refresh), as watch(1).")
    boolean watch;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws InterruptedException
    {
        final Pattern pattern;
        try
        {
            pattern = filter == null ? null : Pattern.compile(filter);
        }
        catch (final PatternSyntaxException ex)
        {
            err.println("pvnet stat: --filter=" + filter + " is not a regular expression: " + ex.getDescription());
            return 2;
        }
        if (intervalMs < 1)
        {
            err.println("pvnet stat: --interval=" + intervalMs + " must be >= 1 ms");
            return 2;
        }
        if (count < 1)
        {
            err.println("pvnet stat: --count=" + count + " must be >= 1");
            return 2;
        }
        final String portName = port == null ? null : RegionArgument.vifName(port);
        final Path socket = RegionArgument.controlSocket(RegionArgument.path(region));
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS))
        {
            return fromSwitch(socket, pattern, portName);
        }
        final Map<Integer, Long> previous = new HashMap<>();
        long previousNs = 0;
        for (int round = 0; round < count; round++)
        {
            if (round > 0)
            {
                Thread.sleep(intervalMs);
            }
            try (Region opened = Region.open(RegionArgument.path(region)))
            {
                final CountersReader reader = VifRegion.attach(opened).countersReader();
                final long nowNs = System.nanoTime();
                final StringBuilder screen = new StringBuilder(4096);
                if (watch)
                {
                    screen.append(CLEAR_SCREEN);
                }
                final long heartbeatAge = System.currentTimeMillis() - opened.heartbeatMs();
                screen.append("==== ").append(Instant.now()).append(" region ").append(opened.path())
                    .append(' ').append(ProcessKind.ofRole(opened.creatorRole()))
                    .append(" pid ").append(opened.creatorPid())
                    .append(ProcessHandle.of(opened.creatorPid()).isPresent() ? "" : " (GONE)")
                    .append(opened.heartbeatMs() > 0 ? " heartbeat " + heartbeatAge + " ms ago" : "").append('\n');
                final int shown = print(screen, reader, pattern, portName, previous,
                    round == 0 ? 0 : (nowNs - previousNs) / 1e9);
                if (round == 0 && portName != null && shown == 0)
                {
                    return noSuchPort(portName);
                }
                previousNs = nowNs;
                out.print(screen);
            }
            catch (final RegionException | IllegalStateException ex)
            {
                out.flush();
                // a region's own messages start with its path: name it once
                final String message = ex.getMessage();
                err.println("pvnet stat: region " + (message != null && message.startsWith(RegionArgument.path(region) +
                    ":") ? message : region + ": " + message) + RegionArgument.missingHint(region));
                return 1;
            }
            out.flush();
        }
        return 0;
    }

    /**
     * A running switch's counters: asked for over its control socket (administrators only: the switch's uid or root)
     * and mapped read-only; the switch's memory is mapped by no other process.
     */
    private int fromSwitch(final Path socket, final Pattern pattern, final String portName) throws InterruptedException
    {
        try (AdminClient admin = AdminClient.connect(socket, RegionArgument.path(region));
            SealedMemory counters = admin.counters())
        {
            final String process = admin.processKind();
            final CountersReader reader = VifRegion.countersReader(counters.buffer());
            final Map<Integer, Long> previous = new HashMap<>();
            long previousNs = 0;
            for (int round = 0; round < count; round++)
            {
                if (round > 0)
                {
                    Thread.sleep(intervalMs);
                }
                if (!ProcessHandle.of(admin.switchPid()).map(ProcessHandle::isAlive).orElse(false))
                {
                    out.flush();
                    err.println("pvnet stat: region " + region + ": " + process + " pid " + admin.switchPid() + " is gone");
                    return 1;
                }
                final long nowNs = System.nanoTime();
                final StringBuilder screen = new StringBuilder(4096);
                if (watch)
                {
                    screen.append(CLEAR_SCREEN);
                }
                screen.append("==== ").append(Instant.now()).append(' ').append(process).append(" pid ")
                    .append(admin.switchPid())
                    .append(" control ").append(socket).append('\n');
                final int shown = print(screen, reader, pattern, portName, previous,
                    round == 0 ? 0 : (nowNs - previousNs) / 1e9);
                if (round == 0 && portName != null && shown == 0)
                {
                    return noSuchPort(portName);
                }
                previousNs = nowNs;
                out.print(screen);
                out.flush();
            }
            return 0;
        }
        catch (final LinuxException | IllegalStateException | IllegalArgumentException ex)
        {
            out.flush();
            err.println("pvnet stat: region " + region + ": " + ex.getMessage() + RegionArgument.notRunningHint(ex));
            return 1;
        }
    }

    /** A {@code --vif}/{@code --port} that names nothing in the region is a mistake, not an empty screen. */
    private int noSuchPort(final String portName)
    {
        err.println("pvnet stat: --vif=" + port + ": no vif or port " + portName + " in region " + region +
            " (vifs as vif1.0, TAP names, vxlan0, capture files)");
        return 2;
    }

    /** @return how many counters {@code portName} selected (all when it is null), shown or hidden by the filters. */
    private int print(
        final StringBuilder screen, final CountersReader reader, final Pattern pattern,
        final String portName, final Map<Integer, Long> previous, final double seconds)
    {
        final long now = System.currentTimeMillis();
        final int[] ofPort = {0};
        screen.append(String.format("%4s  %20s  %14s  %s%n", "id", "total", seconds > 0 ? "per second" : "", "counter"));
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId != VifCounters.TYPE_ID && typeId != SwitchCounters.TYPE_ID &&
                typeId != io.pvnet.engine.vif.QueueCounters.TYPE_ID)
            {
                return;
            }
            if (portName != null && !names(label, portName))
            {
                return;
            }
            ofPort[0]++;
            if (pattern != null && !pattern.matcher(label).find())
            {
                return;
            }
            final long value = reader.getCounterValue(counterId);
            final Long before = previous.put(counterId, value);
            if (nonZero && value == 0)
            {
                return;
            }
            String note = "";
            String rate = "";
            String total = String.format("%,d", value);
            final int kind = typeId == VifCounters.TYPE_ID ? VifCounters.keyKind(keyBuffer, 0) : -1;
            if (kind == VifCounters.HEARTBEAT)
            {
                // the counter holds the epoch ms of the backend's last stamp: shown as its age, not as a raw number
                final long age = Math.max(0, now - value);
                total = value == 0 ? "never" : String.format("%,d ms ago", age);
                note = value != 0 && age > HEARTBEAT_TIMEOUT_MS ? "  BACKEND GONE" : "";
            }
            else if (kind == VifCounters.BACKEND_STATE)
            {
                note = "  (" + XenbusState.fromCode(value) + ")";
            }
            else if (before != null && seconds > 0)
            {
                rate = String.format("%,.0f/s", (value - before) / seconds);
            }
            screen.append(String.format("%4d: %20s  %14s  %s%s%n", counterId, total, rate, label, note));
        });
        return ofPort[0];
    }

    /**
     * @return whether {@code label} is a counter of {@code name}: a vif's own ({@code vif1.0 rx-packets},
     *         {@code vif1.0 q1 rx-packets}) or a switch port's ({@code SCOPE PORT SLOT}: {@code bridge vif1.0 rx-frames},
     *         {@code pcap my cap.pcapng tx-frames}, the port's whole name between the first and the last space).
     */
    static boolean names(final String label, final String name)
    {
        if (label.startsWith(name + " "))
        {
            return true;
        }
        final int first = label.indexOf(' ');
        final int last = label.lastIndexOf(' ');
        return first > 0 && last > first && label.substring(first + 1, last).equals(name);
    }

    /** For tests: runs the command with the given streams. */
    static int run(final PrintStream out, final PrintStream err, final String... args)
    {
        final StatCommand command = new StatCommand();
        command.out = out;
        command.err = err;
        return new CommandLine(command).execute(args);
    }
}

package io.pvnet.perf.cli.engine;

import io.pvnet.engine.VifCounters;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionException;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * {@code pvnet stat REGION}: the live vif counters of a region, read from another process and refreshed every second,
 * as Aeron's AeronStat does; flags a vif whose backend heartbeat stopped and a region whose creator is gone.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Show the live vif counters of a region, refreshed every second (as AeronStat).")
public final class StatCommand implements Callable<Integer>
{
    /** A backend whose heartbeat is older than this is shown as gone. */
    static final long HEARTBEAT_TIMEOUT_MS = 2_000;

    @Parameters(index = "0", paramLabel = "REGION", description = "Region file path, or name under /dev/shm/pvnet-NAME.")
    String region;

    @Option(names = "--filter", paramLabel = "REGEX", description = "Only counters whose label matches.")
    String filter;

    @Option(names = "--vif", paramLabel = "D.H", description = "Only counters of this vif.")
    String vif;

    @Option(names = "--count", paramLabel = "N", description = "Refresh N times, then exit (default: until interrupted).")
    int count = Integer.MAX_VALUE;

    @Option(names = "--interval", paramLabel = "MS", description = "Refresh interval (default 1000).")
    long intervalMs = 1000;

    @Option(names = "--nonzero", description = "Hide counters that are zero.")
    boolean nonZero;

    PrintStream out = System.out;

    @Override
    public Integer call() throws InterruptedException
    {
        final Pattern pattern;
        try
        {
            pattern = filter == null ? null : Pattern.compile(filter);
        }
        catch (final java.util.regex.PatternSyntaxException ex)
        {
            System.err.println("pvnet stat: --filter '" + filter + "' is not a regular expression: " +
                ex.getDescription() + " at index " + ex.getIndex());
            return 2;
        }
        final String vifPrefix = vif == null ? null : "vif " + vif + " ";
        for (int round = 0; round < count; round++)
        {
            if (round > 0)
            {
                Thread.sleep(intervalMs);
            }
            try (Region opened = Region.open(RegionArgument.path(region)))
            {
                print(opened, VifRegion.attach(opened).countersReader(), pattern, vifPrefix);
            }
            catch (final RegionException | IllegalStateException ex)
            {
                out.println(Instant.now() + " region " + region + ": " + ex.getMessage());
            }
            out.flush();
        }
        return 0;
    }

    private void print(final Region opened, final CountersReader reader, final Pattern pattern, final String vifPrefix)
    {
        final long now = System.currentTimeMillis();
        final long regionHeartbeatAge = now - opened.heartbeatMs();
        out.println("==== " + Instant.ofEpochMilli(now) + " region " + opened.path() + " creator pid " + opened.creatorPid() +
            (ProcessHandle.of(opened.creatorPid()).isPresent() ? "" : " (GONE)") +
            (opened.heartbeatMs() > 0 ? " heartbeat " + regionHeartbeatAge + " ms ago" : ""));
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId != VifCounters.TYPE_ID)
            {
                return;
            }
            if ((pattern != null && !pattern.matcher(label).find()) || (vifPrefix != null && !label.startsWith(vifPrefix)))
            {
                return;
            }
            final long value = reader.getCounterValue(counterId);
            final int kind = VifCounters.keyKind(keyBuffer, 0);
            String note = "";
            if (kind == VifCounters.HEARTBEAT)
            {
                final long age = Math.max(0, now - value);
                note = value == 0 ? "  (never)" : age > HEARTBEAT_TIMEOUT_MS ? "  BACKEND GONE (" + age + " ms ago)" :
                    "  (" + age + " ms ago)";
            }
            else if (kind == VifCounters.BACKEND_STATE)
            {
                note = "  (" + XenbusState.fromCode(value) + ")";
            }
            if (nonZero && value == 0)
            {
                return;
            }
            out.printf("%4d: %,20d - %s%s%n", counterId, value, label, note);
        });
    }
}

package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.perf.vif.ChildJvm;
import io.pvnet.perf.vif.VifGuestMain;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code vif-xproc}: as {@code vif}, with both guests' frontends in a second JVM ({@link VifGuestMain}) sharing a region
 * file with this process, which runs the backends and the crossover on one thread. Figures
 * {@code vif-xproc.64} (Mpps) and {@code vif-xproc.1500} (Gbit/s) with {@code .p50}/{@code .p99} one-way latency (ns),
 * measured by the guest process.
 */
public final class VifXprocScenario implements Scenario
{
    @Override
    public String name()
    {
        return "vif-xproc";
    }

    @Override
    public String description()
    {
        return "as vif, with the frontends in a second JVM sharing a region file (Mpps, Gbit/s, one-way latency)";
    }

    @Override
    public int measurementCount()
    {
        return 2;
    }

    @Override
    public int measurementCount(final BenchOptions options)
    {
        return options.sizes(64, 1500).length;
    }

    @Override
    public int busyThreads()
    {
        return 2;
    }

    @Override
    public void run(final ScenarioContext context) throws Exception
    {
        for (final int size : context.options().sizes(64, 1500))
        {
            measure(context, "vif-xproc." + size, size);
        }
    }

    /** Measures frames of {@code frameLength} bytes with the frontends in a child JVM; reports {@code name} etc. */
    static void measure(final ScenarioContext context, final String name, final int frameLength) throws Exception
    {
        final boolean pps = VifScenario.packetsPerSecond(frameLength);
        final Path path = Files.createTempFile(Path.of(Region.DEFAULT_DIRECTORY.toString()), "pvnet-xproc-", ".region");
        Files.delete(path);
        try (Region region = Region.create(path, VifRegion.regionBytes(2)))
        {
            final VifRegion vifRegion = VifRegion.create(region);
            final VifBackend[] backends = new VifBackend[2];
            final ChecksumFrameOffload offload = new ChecksumFrameOffload();
            final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
            backends[0] = cable.plug(0, VifBackend.create(vifRegion,
                VifConfig.of(1, 0).withMtu(Math.max(1500, frameLength)), cable.ingress(0), offload));
            backends[1] = cable.plug(1, VifBackend.create(vifRegion, VifConfig.of(2, 0), cable.ingress(1), offload));
            final AgentRunner host = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000, 100_000), Throwable::printStackTrace, null,
                new CompositeAgent(backends[0], backends[1]));
            AgentRunner.startOnThread(host);
            final VifCounters counters = backends[1].counters();
            final Process guest = start(path, frameLength, context.warmup().toMillis(), context.duration().toMillis());
            final Map<String, String> result = new HashMap<>();
            try (ProgressPrinter.Line ignored = context.progress(name, pps ?
                () -> counters.get(VifCounters.RX_PACKETS) : () -> counters.get(VifCounters.RX_BYTES),
                pps ? 1e-6 : 8e-9, pps ? "Mpps" : "Gbit/s");
                BufferedReader reader = new BufferedReader(
                    new InputStreamReader(guest.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    if (line.startsWith("RESULT "))
                    {
                        for (final String field : line.substring(7).split(" "))
                        {
                            final int eq = field.indexOf('=');
                            result.put(field.substring(0, eq), field.substring(eq + 1));
                        }
                    }
                    else if (line.startsWith("ERROR"))
                    {
                        throw new IllegalStateException("guest: " + line);
                    }
                }
                if (!guest.waitFor(30, TimeUnit.SECONDS))
                {
                    guest.destroyForcibly();
                }
            }
            finally
            {
                host.close();
            }
            if (!result.containsKey("frames"))
            {
                throw new IllegalStateException("guest process exited " + guest.exitValue() + " without a result");
            }
            final double seconds = Long.parseLong(result.get("ns")) / 1e9;
            final double value = pps ? Long.parseLong(result.get("frames")) / seconds / 1e6 :
                Long.parseLong(result.get("bytes")) * 8 / seconds / 1e9;
            context.report(name, value, pps ? "Mpps" : "Gbit/s");
            context.report(name + ".p50", Double.parseDouble(result.get("p50")), "ns");
            context.report(name + ".p99", Double.parseDouble(result.get("p99")), "ns");
        }
        finally
        {
            Files.deleteIfExists(path);
        }
    }

    private static Process start(final Path path, final int frameLength, final long warmupMs, final long durationMs)
        throws java.io.IOException
    {
        return ChildJvm.start(VifGuestMain.class, path.toString(), Integer.toString(frameLength), Long.toString(warmupMs),
            Long.toString(durationMs));
    }
}

package io.pvnet.engine;

import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.testsupport.ChildJvm;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The two halves of a vif in two processes sharing a region file: the backends (and the crossover) here, both guests'
 * frontends in a child JVM ({@link CrossProcessVifGuest}); frames flow, the guest closes and reconnects.
 */
class CrossProcessVifTest
{
    private static final int FRAMES = Integer.getInteger("pvnet.xproc.frames", 20_000);

    @TempDir
    Path directory;

    @Test
    void shouldCarryFramesAndReconnectAcrossProcesses() throws Exception
    {
        final Path path = directory.resolve("xproc-vifs");
        try (Region region = Region.create(path, VifRegion.regionBytes(2)))
        {
            final VifRegion vifRegion = VifRegion.create(region);
            final VifBackend[] backends = new VifBackend[2];
            final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
            backends[0] = cable.plug(0,
                VifBackend.create(vifRegion, VifConfig.of(1, 0), cable.ingress(0), NoFrameOffload.INSTANCE));
            backends[1] = cable.plug(1,
                VifBackend.create(vifRegion, VifConfig.of(2, 0), cable.ingress(1), NoFrameOffload.INSTANCE));
            final AgentRunner host = new AgentRunner(new SleepingMillisIdleStrategy(0), Throwable::printStackTrace, null,
                new CompositeAgent(backends[0], backends[1]));
            AgentRunner.startOnThread(host);
            try
            {
                final Process guest = startGuest(path);
                final boolean finished = guest.waitFor(90, TimeUnit.SECONDS);
                final String output = new String(guest.getInputStream().readAllBytes());
                if (!finished)
                {
                    guest.destroyForcibly();
                }
                assertTrue(finished, "guest finished: " + output);
                assertEquals(0, guest.exitValue(), output + dump(backends));
                assertTrue(output.contains("guest ok frames=" + 2 * FRAMES), output);
            }
            finally
            {
                host.close();
            }
            assertEquals(2L * FRAMES, backends[0].counters().get(VifCounters.TX_PACKETS));
            assertEquals(2L * FRAMES, backends[1].counters().get(VifCounters.RX_PACKETS));
            assertEquals(0, backends[0].counters().totalDrops() + backends[1].counters().totalDrops());
            assertEquals(2L * FRAMES, backends[0].counters().get(VifCounters.FRONT_TX_PACKETS), "written by the guest");
            assertEquals(2L * FRAMES, backends[1].counters().get(VifCounters.FRONT_RX_PACKETS), "written by the guest");
        }
    }

    private static String dump(final VifBackend[] backends)
    {
        final StringBuilder text = new StringBuilder();
        for (final VifBackend backend : backends)
        {
            for (int kind = 0; kind < VifCounters.KIND_COUNT; kind++)
            {
                final long value = backend.counters().get(kind);
                if (value != 0 && kind != VifCounters.HEARTBEAT)
                {
                    text.append('\n').append(VifCounters.label(backend.config().domid(), 0, kind)).append(" = ").append(value);
                }
            }
        }
        return text.toString();
    }

    private static Process startGuest(final Path path) throws java.io.IOException
    {
        return ChildJvm.of(CrossProcessVifGuest.class).arguments(path.toString(), Integer.toString(FRAMES)).start();
    }
}

package io.pvnet.perf.cli.engine;

import io.pvnet.engine.Crossover;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.xnb.DropReason;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@code pvnet stat} and {@code pvnet ifconfig} against vifs running in a region file. */
class VifCommandsTest
{
    @TempDir
    Path directory;

    private Region region;
    private Path path;
    private final VifBackend[] backends = new VifBackend[2];
    private final VifFrontend[] frontends = new VifFrontend[2];

    @BeforeEach
    void setUp()
    {
        path = directory.resolve("vifs");
        region = Region.create(path, VifRegion.regionBytes(2));
        final VifRegion vifRegion = VifRegion.create(region);
        backends[0] = VifBackend.create(vifRegion, VifConfig.of(1, 0), Crossover.sinkTo(backends, 1), NoFrameOffload.INSTANCE);
        backends[1] = VifBackend.create(vifRegion, VifConfig.of(2, 0), Crossover.sinkTo(backends, 0), NoFrameOffload.INSTANCE);
        frontends[0] = VifFrontend.create(vifRegion, VifConfig.of(1, 0), backends[0].counters(), NoFrameOffload.INSTANCE);
        frontends[1] = VifFrontend.create(vifRegion, VifConfig.of(2, 0), backends[1].counters(), NoFrameOffload.INSTANCE);
        pump(3);
        assertTrue(backends[0].isConnected() && frontends[1].isConnected());
    }

    @AfterEach
    void tearDown()
    {
        region.close();
    }

    private void pump(final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            for (int v = 0; v < 2; v++)
            {
                frontends[v].doWork();
                backends[v].doWork();
                frontends[v].poll((buffer, offset, length, flags, gso) -> { }, 256);
            }
        }
    }

    private void send(final int length, final int count)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < count; i++)
        {
            assertEquals(VifFrontend.OK, frontends[0].transmit(frame, 0, length, 0, 0, 0));
        }
        frontends[0].flush();
        pump(3);
    }

    private String run(final Object command, final String... args)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true);
        if (command instanceof StatCommand stat)
        {
            stat.out = stream;
        }
        else if (command instanceof IfconfigCommand ifconfig)
        {
            ifconfig.out = stream;
            ifconfig.err = stream;
        }
        final int exit = new CommandLine(command).execute(args);
        stream.println("exit=" + exit);
        return bytes.toString();
    }

    @Test
    void statShouldShowLiveCountersByLabelWithFilters()
    {
        send(1000, 5);
        final String all = run(new StatCommand(), path.toString(), "--count", "1");
        assertTrue(all.contains("5 - vif 1.0 tx-packets"), all);
        assertTrue(all.contains("5,000 - vif 1.0 tx-bytes"), all);
        assertTrue(all.contains("5 - vif 2.0 rx-packets"), all);
        assertTrue(all.contains("vif 1.0 backend-state  (CONNECTED)"), all);

        final String filtered = run(new StatCommand(), path.toString(), "--count", "1", "--vif", "2.0", "--filter", "rx-");
        assertTrue(filtered.contains("vif 2.0 rx-packets"), filtered);
        assertFalse(filtered.contains("vif 1.0"), filtered);
        assertFalse(filtered.contains("tx-packets"), filtered);
    }

    @Test
    void statShouldShowABackendWhoseHeartbeatStoppedAsGone()
    {
        backends[0].counters().set(io.pvnet.engine.VifCounters.HEARTBEAT, System.currentTimeMillis() - 60_000);
        final String out = run(new StatCommand(), path.toString(), "--count", "1", "--vif", "1.0", "--filter", "heartbeat");
        assertTrue(out.contains("BACKEND GONE"), out);
    }

    @Test
    void ifconfigShouldChangeTheMtuOfARunningVifFromTheNextFrame()
    {
        send(1514, 1);
        assertEquals(1, backends[0].counters().get(io.pvnet.engine.VifCounters.TX_PACKETS));
        final String out = run(new IfconfigCommand(), path.toString(), "1.0", "mtu", "1000", "-tso", "-txcsum");
        assertTrue(out.contains("xnb1.0: flags=<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1000"), out);
        assertTrue(out.contains("options=<RXCSUM>"), out);
        assertTrue(out.contains("exit=0"), out);
        pump(1);
        assertEquals(1000, backends[0].mtu());
        send(1514, 1);
        assertEquals(1, backends[0].counters().drops(DropReason.OVERSIZE));
        send(1018, 1);
        assertEquals(2, backends[0].counters().get(io.pvnet.engine.VifCounters.TX_PACKETS));
    }

    @Test
    void ifconfigShouldRejectBadChangesWithoutWritingAnything()
    {
        final String out = run(new IfconfigCommand(), path.toString(), "1.0", "tso", "mtu", "67");
        assertTrue(out.contains("mtu=67 must be in 68..65535"), out);
        assertTrue(out.contains("exit=2"), out);
        assertEquals("1", region.findSection("store") != null ? "1" : "0");
        final String unknown = run(new IfconfigCommand(), path.toString(), "9.9");
        assertTrue(unknown.contains("no vif 9.9"), unknown);
        final String shown = run(new IfconfigCommand(), path.toString(), "xnb1.0");
        assertTrue(shown.contains("mtu 1500"), shown);
        assertTrue(shown.contains("options=<RXCSUM,TXCSUM,TSO4>"), shown);
    }
}

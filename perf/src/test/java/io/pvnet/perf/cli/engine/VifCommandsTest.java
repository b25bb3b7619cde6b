package io.pvnet.perf.cli.engine;

import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.vif.DropReason;
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
        final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
        backends[0] = cable.plug(0,
            VifBackend.create(vifRegion, VifConfig.of(1, 0), cable.ingress(0), NoFrameOffload.INSTANCE));
        backends[1] = cable.plug(1,
            VifBackend.create(vifRegion, VifConfig.of(2, 0), cable.ingress(1), NoFrameOffload.INSTANCE));
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
                frontends[v].poll((buffer, offset, length, metadata) -> { }, 256);
            }
        }
    }

    private void send(final int length, final int count)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < count; i++)
        {
            assertEquals(VifFrontend.OK, frontends[0].transmit(frame, 0, length));
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
            stat.err = stream;
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
        // dom0's view, as ip -s link in dom0: what guest 1 sent, vif1.0 received; what guest 2 got, vif2.0 sent
        assertTrue(all.matches("(?s).*\\s5\\s+vif1\\.0 rx-packets\n.*"), all);
        assertTrue(all.matches("(?s).*\\s5,000\\s+vif1\\.0 rx-bytes\n.*"), all);
        assertTrue(all.matches("(?s).*\\s5\\s+vif2\\.0 tx-packets\n.*"), all);
        assertTrue(all.contains("vif1.0 backend-state  (CONNECTED)"), all);
        assertTrue(all.contains("exit=0"), all);

        for (final String name : new String[] {"vif2.0", "2.0", "vif2", "xnb2.0"})
        {
            final String filtered = run(new StatCommand(), path.toString(), "--count", "1", "--vif", name, "--filter", "tx-");
            assertTrue(filtered.contains("vif2.0 tx-packets"), name + ": " + filtered);
            assertFalse(filtered.contains("vif1.0"), filtered);
            assertFalse(filtered.contains("rx-packets"), filtered);
        }
    }

    @Test
    void statShouldSelectAPortByItsWholeNameEvenWithASpaceInIt()
    {
        assertTrue(StatCommand.names("bridge vif1.0 rx-frames", "vif1.0"));
        assertTrue(StatCommand.names("pcap my cap.pcapng tx-frames", "my cap.pcapng"));
        assertFalse(StatCommand.names("pcap my cap.pcapng tx-frames", "cap.pcapng"));
        assertFalse(StatCommand.names("bridge vif1.0 rx-frames", "vif1"));
    }

    @Test
    void statShouldShowPerSecondRatesBesideTotals()
    {
        send(1000, 5);
        final String two = run(new StatCommand(), path.toString(), "--count", "2", "--interval", "200", "--vif", "vif1.0",
            "--filter", "rx-packets");
        // first round: totals only; second: a rate column (no frames in between: 0/s)
        assertTrue(two.contains("per second"), two);
        assertTrue(two.matches("(?s).*\\s5\\s+0/s\\s+vif1\\.0 rx-packets\n.*"), two);
        final String watch = run(new StatCommand(), path.toString(), "--count", "2", "--interval", "10", "--watch");
        assertEquals(2, watch.split(java.util.regex.Pattern.quote(StatCommand.CLEAR_SCREEN), -1).length - 1, "redrawn twice");
    }

    @Test
    void statShouldExitNonZeroOnEveryError()
    {
        final String missing = run(new StatCommand(), path + ".missing", "--count", "1");
        assertTrue(missing.contains("pvnet stat: region " + path + ".missing") && missing.contains("exit=1"), missing);
        assertEquals(1, missing.split(java.util.regex.Pattern.quote(path + ".missing"), -1).length - 1,
            "the path named once: " + missing);
        assertTrue(missing.contains(": no such file (is a pvnet switch or vif-run running on it?)"), "the fix: " + missing);
        final String ifconfigMissing = run(new IfconfigCommand(), path + ".missing", "vif1.0");
        assertTrue(ifconfigMissing.contains(": no such file (is a pvnet switch or vif-run running on it?)") &&
            ifconfigMissing.contains("exit=1"), ifconfigMissing);
        final String badRegex = run(new StatCommand(), path.toString(), "--count", "1", "--filter", "(");
        assertTrue(badRegex.contains("is not a regular expression") && badRegex.contains("exit=2"), badRegex);
        final String badInterval = run(new StatCommand(), path.toString(), "--interval", "0");
        assertTrue(badInterval.contains("--interval=0 must be >= 1") && badInterval.contains("exit=2"), badInterval);
        final String badCount = run(new StatCommand(), path.toString(), "--count", "-1");
        assertTrue(badCount.contains("--count=-1 must be >= 1") && badCount.contains("exit=2"), badCount);
        // a vif or port the region does not have: an error, not an empty screen
        final String unknownVif = run(new StatCommand(), path.toString(), "--count", "1", "--vif", "9.0");
        assertTrue(unknownVif.contains("no vif or port vif9.0 in region") && unknownVif.contains("exit=2"), unknownVif);
        assertFalse(unknownVif.contains("===="), unknownVif);
        // a vif with every counter hidden by the filters is not unknown
        final String hidden = run(new StatCommand(), path.toString(), "--count", "1", "--vif", "vif2.0", "--filter",
            "no-such-counter");
        assertTrue(hidden.contains("exit=0"), hidden);
    }

    @Test
    void statShouldShowABackendWhoseHeartbeatStoppedAsGone()
    {
        backends[0].counters().set(io.pvnet.engine.vif.VifCounters.HEARTBEAT, System.currentTimeMillis() - 60_000);
        final String out = run(new StatCommand(), path.toString(), "--count", "1", "--vif", "1.0", "--filter", "heartbeat");
        assertTrue(out.contains("BACKEND GONE"), out);
        assertTrue(out.matches("(?s).*: +6\\d,\\d{3} ms ago  .*vif1\\.0 heartbeat-ms  BACKEND GONE\n.*"),
            "the stamp shown as its age, not as epoch ms: " + out);
    }

    @Test
    void statShouldShowALiveHeartbeatAsItsAge()
    {
        backends[0].counters().set(io.pvnet.engine.vif.VifCounters.HEARTBEAT, System.currentTimeMillis() - 40);
        final String out = run(new StatCommand(), path.toString(), "--count", "1", "--vif", "1.0", "--filter", "heartbeat");
        final java.util.regex.Matcher age = java.util.regex.Pattern.compile(": +([\\d,]+) ms ago  .*vif1\\.0 heartbeat-ms\n")
            .matcher(out);
        assertTrue(age.find(), out);
        final long ms = Long.parseLong(age.group(1).replace(",", ""));
        assertTrue(ms >= 40 && ms <= StatCommand.HEARTBEAT_TIMEOUT_MS, out);
        assertFalse(out.contains("GONE"), out);
        // a stamp a heartbeat and a half old (a late one on a loaded machine) is alive; five and a half seconds is gone
        final long intervalMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(io.pvnet.engine.VifPoller.HEARTBEAT_NS);
        backends[0].counters().set(io.pvnet.engine.vif.VifCounters.HEARTBEAT, System.currentTimeMillis() - intervalMs * 3 / 2);
        final String late = run(new StatCommand(), path.toString(), "--count", "1", "--vif", "1.0", "--filter", "heartbeat");
        assertFalse(late.contains("GONE"), late);
        backends[0].counters().set(io.pvnet.engine.vif.VifCounters.HEARTBEAT, System.currentTimeMillis() - 5_500);
        final String stopped = run(new StatCommand(), path.toString(), "--count", "1", "--vif", "1.0", "--filter", "heartbeat");
        assertTrue(stopped.contains("BACKEND GONE"), stopped);
        backends[0].counters().set(io.pvnet.engine.vif.VifCounters.HEARTBEAT, 0);
        final String never = run(new StatCommand(), path.toString(), "--count", "1", "--vif", "1.0", "--filter", "heartbeat");
        assertTrue(never.matches("(?s).*: +never  .*vif1\\.0 heartbeat-ms\n.*"), never);
    }

    @Test
    void ifconfigShouldChangeTheMtuOfARunningVifFromTheNextFrame()
    {
        send(1514, 1);
        assertEquals(1, backends[0].counters().get(io.pvnet.engine.vif.VifCounters.TX_PACKETS));
        final String out = run(new IfconfigCommand(), path.toString(), "1.0", "mtu", "1000", "-tso", "-txcsum");
        assertTrue(out.contains("vif1.0: flags=<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1000"), out);
        assertTrue(out.contains("\tether fe:ff:ff:ff:ff:ff (dom0 side)\n"), out);
        assertFalse(out.contains("00:00:00:00:00:00"), "no unset MAC shown as an address: " + out);
        assertTrue(out.contains("\tguest: ether 00:16:3e:00:01:00 "), out);
        assertTrue(out.contains("options=<RXCSUM>"), out);
        assertTrue(out.contains("exit=0"), out);
        pump(1);
        assertEquals(1000, backends[0].mtu());
        send(1514, 1);
        assertEquals(1, backends[0].counters().drops(DropReason.OVERSIZE));
        send(1018, 1);
        assertEquals(2, backends[0].counters().get(io.pvnet.engine.vif.VifCounters.TX_PACKETS));
    }

    @Test
    void ifconfigShouldShowTheLladdrItSetAsTheDom0SideAndKeepTheGuestsMacApart()
    {
        final String out = run(new IfconfigCommand(), path.toString(), "vif1.0", "lladdr", "02:00:00:00:00:01");
        assertTrue(out.contains("\tether 02:00:00:00:00:01 (dom0 side)\n"), out);
        assertTrue(out.contains("\tguest: ether 00:16:3e:00:01:00 "), out);
        assertTrue(out.contains("exit=0"), out);
    }

    @Test
    void ifconfigShouldRefuseAGroupAddressAsLladdr()
    {
        final String out = run(new IfconfigCommand(), path.toString(), "vif1.0", "lladdr", "01:00:5e:00:00:01");
        assertTrue(out.contains("pvnet ifconfig: lladdr 01:00:5e:00:00:01 is a group (multicast or broadcast) address; give a unicast MAC"), out);
        assertTrue(out.contains("exit=2"), out);
        final String after = run(new IfconfigCommand(), path.toString(), "vif1.0");
        assertFalse(after.contains("01:00:5e:00:00:01"), "nothing written: " + after);
    }

    @Test
    void ifconfigShouldSayNoGuestIsAttachedOnceItsFrontendKeysAreGone()
    {
        // as the switch does when a guest's connection ends: its frontend directory removed, state Closed
        final io.pvnet.engine.store.XenStore store = VifRegion.attach(region).store();
        store.removeTree("device/vif/2/0/");
        final String out = run(new IfconfigCommand(), path.toString(), "vif2.0");
        assertTrue(out.contains("\tguest: none attached\n"), out);
        assertFalse(out.contains("null"), out);
        assertTrue(out.contains("exit=0"), out);
    }

    @Test
    void ifconfigShouldShowTheHashAndTheMulticastFilter() throws InterruptedException
    {
        final String before = run(new IfconfigCommand(), path.toString(), "1.0");
        assertTrue(before.contains("\tqueues: 1 (max 1), event channels one per queue"), before);
        assertTrue(before.contains("\thash: none (control ring not used)"), before);
        assertTrue(before.contains("\tmulticast filter: off 0"), before);

        frontends[0].requestMulticastControl(true);
        assertEquals(VifFrontend.OK, frontends[0].multicastControl(true, 0x01_00_5E_00_00_FBL));
        assertEquals(VifFrontend.OK, frontends[0].multicastControl(true, 0x33_33_00_00_00_01L));
        frontends[0].flush();
        pump(3);
        Thread.sleep(150); // the backend publishes its status with the 100 ms heartbeat
        pump(1);
        final String after = run(new IfconfigCommand(), path.toString(), "1.0");
        assertTrue(after.contains("\tmulticast filter: on 2 01:00:5e:00:00:fb 33:33:00:00:00:01"), after);
    }

    @Test
    void statAndIfconfigShouldShowEachQueueOfAMultiQueueVif()
    {
        final Path multi = directory.resolve("multi");
        try (Region multiRegion = Region.create(multi, VifRegion.regionBytes(2, 2)))
        {
            final VifRegion vifRegion = VifRegion.create(multiRegion);
            final VifConfig a = VifConfig.of(1, 0).withQueues(2);
            final VifConfig b = VifConfig.of(2, 0).withQueues(2);
            final VifBackend[] pair = new VifBackend[2];
            final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
            pair[0] = cable.plug(0, VifBackend.create(vifRegion, a, cable.ingress(0), NoFrameOffload.INSTANCE));
            pair[1] = cable.plug(1, VifBackend.create(vifRegion, b, cable.ingress(1), NoFrameOffload.INSTANCE));
            final VifFrontend[] guests = {VifFrontend.create(vifRegion, a, pair[0].counters(), NoFrameOffload.INSTANCE),
                VifFrontend.create(vifRegion, b, pair[1].counters(), NoFrameOffload.INSTANCE)};
            final Runnable pumpPair = () ->
            {
                for (int round = 0; round < 3; round++)
                {
                    for (int v = 0; v < 2; v++)
                    {
                        guests[v].doWork();
                        pair[v].doWork();
                        guests[v].poll((buffer, offset, length, metadata) -> { }, 256);
                    }
                }
            };
            pumpPair.run();
            assertEquals(2, guests[0].queueCount());
            // IPv4/TCP frames of 32 flows (source ports): both queues carry some
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[60]);
            frame.putShort(12, (short)0x0800, java.nio.ByteOrder.BIG_ENDIAN);
            frame.putByte(14, (byte)0x45);
            frame.putShort(16, (short)46, java.nio.ByteOrder.BIG_ENDIAN);
            frame.putByte(23, (byte)6);
            frame.putByte(46, (byte)0x50); // TCP data offset: 20 bytes
            for (int flow = 0; flow < 32; flow++)
            {
                frame.putShort(34, (short)(1000 + flow), java.nio.ByteOrder.BIG_ENDIAN);
                assertEquals(VifFrontend.OK, guests[0].transmit(frame, 0, 60));
            }
            guests[0].flush();
            pumpPair.run();
            final String stat = run(new StatCommand(), multi.toString(), "--count", "1", "--vif", "vif1.0");
            final java.util.regex.Matcher q0 = java.util.regex.Pattern.compile("\\s(\\d+)\\s+vif1\\.0 q0 rx-packets\n").matcher(stat);
            final java.util.regex.Matcher q1 = java.util.regex.Pattern.compile("\\s(\\d+)\\s+vif1\\.0 q1 rx-packets\n").matcher(stat);
            assertTrue(q0.find() && q1.find(), stat);
            assertEquals(32, Integer.parseInt(q0.group(1)) + Integer.parseInt(q1.group(1)), stat);
            assertTrue(Integer.parseInt(q0.group(1)) > 0 && Integer.parseInt(q1.group(1)) > 0, stat);
            assertTrue(stat.contains("vif1.0 q1 drops"), stat);
            assertTrue(stat.matches("(?s).*\\s32\\s+vif1\\.0 rx-packets\n.*"), stat);

            final String shown = run(new IfconfigCommand(), multi.toString(), "vif1.0");
            assertTrue(shown.contains("\tqueues: 2 (max 2), event channels one per queue"), shown);
        }
    }

    @Test
    void ifconfigShouldRejectBadChangesWithoutWritingAnything()
    {
        final String out = run(new IfconfigCommand(), path.toString(), "1.0", "tso", "mtu", "67");
        assertTrue(out.contains("mtu=67 must be in 68..65535"), out);
        assertTrue(out.contains("exit=2"), out);
        assertEquals("1", region.findSection("store") != null ? "1" : "0");
        final String unknown = run(new IfconfigCommand(), path.toString(), "9.9");
        assertTrue(unknown.contains("pvnet ifconfig: no vif9.9 in region"), unknown);
        assertTrue(unknown.contains("exit=1"), unknown);
        final String shown = run(new IfconfigCommand(), path.toString(), "xnb1.0");
        assertTrue(shown.contains("mtu 1500"), shown);
        assertTrue(shown.contains("options=<RXCSUM,TXCSUM,TSO4>"), shown);
    }
}

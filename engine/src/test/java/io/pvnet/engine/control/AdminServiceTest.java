package io.pvnet.engine.control;

import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifPoller;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.region.HostFile;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.PeerCredentials;
import io.pvnet.ring.share.SealedMemory;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The administrator's requests on the switch's control socket: counters read-only, a vif's keys, ifconfig settings. */
class AdminServiceTest
{
    @TempDir
    Path dir;

    private HostMemory memory;
    private GuestControlServer server;
    private final VifBackend[] backends = new VifBackend[2];
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    /** The status file at REGION, beside the control socket REGION.sock, as pvnet switch and vif-run make it. */
    private Region status;

    private Path startSwitch(final int adminUid)
    {
        return startSwitch(adminUid, RegionDescriptor.ROLE_SWITCH);
    }

    /** @param role the role this process records in the status region's header, or null for no status region. */
    private Path startSwitch(final int adminUid, final String role)
    {
        final Path region = dir.resolve("pvnet");
        if (role != null)
        {
            status = Region.create(region, RegionDescriptor.headerLength(1), 1, role);
        }
        memory = HostMemory.create(2);
        final VifRegion vifRegion = memory.vifRegion();
        final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
        backends[0] = cable.plug(0, VifBackend.create(vifRegion, VifConfig.of(1, 0), cable.ingress(0), NoFrameOffload.INSTANCE));
        backends[1] = cable.plug(1, VifBackend.create(vifRegion, VifConfig.of(2, 0), cable.ingress(1), NoFrameOffload.INSTANCE));
        final Path socket = dir.resolve("pvnet.sock");
        final PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        server = new GuestControlServer(ControlSocket.listen(socket, false), vifRegion.store(), List.of(
            new GuestControlServer.Vif(backends[0].config(), backends[0], HostFile.effectiveUid())), out)
            .admin(new AdminService(vifRegion.store(), memory.counters(), adminUid, out)).start();
        return socket;
    }

    @AfterEach
    void tearDown()
    {
        if (server != null)
        {
            server.close();
            server.closeShares();
        }
        if (memory != null)
        {
            memory.close();
        }
        if (status != null)
        {
            status.close();
        }
    }

    @Test
    void shouldHandTheAdministratorReadOnlyCountersKeysAndSettingsOnly()
    {
        final Path socket = startSwitch(HostFile.effectiveUid());
        backends[0].counters().add(VifCounters.RX_PACKETS, 1234);
        try (AdminClient admin = AdminClient.connect(socket); SealedMemory counters = admin.counters())
        {
            assertEquals(ProcessHandle.current().pid(), admin.switchPid());
            final CountersReader reader = VifRegion.countersReader(counters.buffer());
            final int id = backends[0].counters().counter(VifCounters.RX_PACKETS).id();
            assertEquals(1234, reader.getCounterValue(id), "the switch's own counters, live");
            assertEquals(backends[0].counters().counter(VifCounters.RX_PACKETS).label(), reader.getCounterLabel(id));
            backends[0].counters().add(VifCounters.RX_PACKETS, 1);
            assertEquals(1235, reader.getCounterValue(id));

            final Map<String, String> keys = admin.read(1, 0);
            assertEquals("2", keys.get("backend/vif/1/0/state"), keys.toString()); // InitWait
            assertTrue(keys.keySet().stream().allMatch(k -> k.startsWith("backend/vif/1/0/") ||
                k.startsWith("device/vif/1/0/")), "only that vif's keys: " + keys.keySet());

            admin.write(1, 0, "mtu", "9000");
            admin.write(1, 0, "tso", "0");
            assertEquals("9000", admin.read(1, 0).get("backend/vif/1/0/mtu"));
            assertEquals("0", admin.read(1, 0).get("backend/vif/1/0/tso"));
            for (final String[] refused : new String[][] {{"state", "6"}, {"mtu", "67"}, {"mtu", "x"}, {"mac", "zz"}, {"mac", "01:00:5e:00:00:01"},
                {"tso", "2"}, {"../../2/0/state", "6"}, {"hotplug-status", "x"}})
            {
                final IllegalStateException ex = assertThrows(IllegalStateException.class,
                    () -> admin.write(1, 0, refused[0], refused[1]), refused[0]);
                assertTrue(ex.getMessage().startsWith("the switch refused: "), ex.getMessage());
            }
            assertEquals("2", admin.read(1, 0).get("backend/vif/1/0/state"), "the state is not a setting");
            assertThrows(IllegalStateException.class, () -> admin.read(7, 0), "no such vif");
            assertThrows(IllegalStateException.class, () -> admin.write(7, 0, "mtu", "1500"), "no such vif");
        }
    }

    @Test
    void shouldWakeTheVifsHostThreadWhenASettingIsWritten()
    {
        final Path socket = startSwitch(HostFile.effectiveUid());
        final VifPoller poller = new VifPoller(VifSections.createSelector(memory.region(), 2),
            memory.vifRegion().store());
        poller.add(backends[0]);
        poller.add(backends[1]);
        for (int i = 0; i < 10; i++)
        {
            poller.doWork(); // both settle: neither is connected, nothing raised
        }
        final long first = poller.vifPolls(0);
        final long second = poller.vifPolls(1);
        try (AdminClient admin = AdminClient.connect(socket))
        {
            admin.write(1, 0, "mtu", "9000");
        }
        poller.doWork();
        assertEquals(first + 1, poller.vifPolls(0), "the write raised vif 1.0's bit: its host thread runs now");
        assertEquals(second, poller.vifPolls(1), "the other vif is not polled");
    }

    @Test
    void shouldRefuseAnotherUid()
    {
        final Path socket = startSwitch(HostFile.effectiveUid() + 1000);
        try (AdminClient admin = AdminClient.connect(socket))
        {
            if (HostFile.effectiveUid() == 0)
            {
                assertNotNull(admin.read(1, 0), "root may administer any switch");
                return;
            }
            final IllegalStateException ex = assertThrows(IllegalStateException.class, admin::counters);
            assertTrue(ex.getMessage().contains("may not administer this switch"), ex.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"switch, this switch, pvnet switch", "vif-run, this vif-run process, pvnet vif-run"})
    void shouldNameTheServingProcessInItsOwnRefusals(final String kind, final String self, final String command)
        throws InterruptedException
    {
        // another uid, whatever this test's uid (root may administer anything): the service sees the credentials
        // given, over a socket pair
        memory = HostMemory.create(2);
        final ByteArrayOutputStream kindLog = new ByteArrayOutputStream();
        final AdminService service = new AdminService(memory.vifRegion().store(), memory.counters(), 4242, kind,
            new PrintStream(kindLog, true, StandardCharsets.UTF_8));
        final ControlSocket[] pair = ControlSocket.pair();
        try (ControlSocket tool = pair[0]; ControlSocket connection = pair[1])
        {
            service.serve(connection, new PeerCredentials(77, 4343, 4343), AdminMessage.counters().encode());
            final AdminMessage refusal = AdminMessage.decode(tool.receive(0).data());
            assertEquals(AdminMessage.ERROR, refusal.type());
            assertEquals("uid 4343 may not administer " + self + " (uid 4242)", refusal.value());
            assertEquals(command + ": refused administration by pid 77 uid 4343 (1 so far)",
                kindLog.toString(StandardCharsets.UTF_8).strip());
            assertEquals(1, service.refused());
        }
        // the administrator's own uid: an unknown vif is not on this process either (served until the tool closes)
        final ControlSocket[] admin = ControlSocket.pair();
        try (ControlSocket tool = admin[0]; ControlSocket connection = admin[1])
        {
            final Thread serving = Thread.ofVirtual().start(() ->
            {
                try
                {
                    service.serve(connection, new PeerCredentials(78, 4242, 4242), AdminMessage.read(7, 0).encode());
                }
                finally
                {
                    connection.close(); // a serve that throws ends the receive below rather than leave it blocked
                }
            });
            final ControlSocket.Message answer = tool.receive(0);
            assertNotNull(answer, "serve ended without answering");
            assertEquals("no vif7.0 on " + self, AdminMessage.decode(answer.data()).value());
            tool.close();
            assertTrue(serving.join(java.time.Duration.ofSeconds(10)), "serve returns when the tool closes");
        }
    }

    @ParameterizedTest(name = "role ''{0}'': {1}")
    @CsvSource({"switch, the switch", "vif-run, the vif-run process", "'', the process serving pvnet.sock",
        "none, the process serving pvnet.sock"})
    void shouldNameTheProcessKindItsRegionRecordsWhenItRefuses(final String role, final String named)
    {
        final Path socket = startSwitch(HostFile.effectiveUid(), role.equals("none") ? null : role);
        try (AdminClient admin = AdminClient.connect(socket))
        {
            assertEquals(role.equals("switch") || role.equals("vif-run") ? role : "creator", admin.processKind());
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> admin.write(1, 0, "state", "6"));
            assertTrue(ex.getMessage().startsWith(named + " refused: "), ex.getMessage());
        }
    }

    @Test
    void shouldNotTakeTheRegionOfAnotherProcessForThePeers()
    {
        // a status file this process did not create (another pid in its header) names nobody
        final Path socket = startSwitch(HostFile.effectiveUid(), "vif-run");
        status.buffer().putLong(RegionDescriptor.CREATOR_PID_OFFSET, ProcessHandle.current().pid() + 1);
        try (AdminClient admin = AdminClient.connect(socket))
        {
            assertEquals("creator", admin.processKind());
        }
        try (AdminClient admin = AdminClient.connect(socket, null))
        {
            assertEquals("creator", admin.processKind(), "no region given");
        }
    }
}

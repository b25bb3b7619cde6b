package io.pvnet.engine.control;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.engine.store.XenStore;
import io.pvnet.ring.region.HostFile;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.region.RegionSection;
import io.pvnet.ring.share.ControlSocket;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Per-guest shares and the control connection, both ends in this JVM but talking only through the control socket
 * and the share: attach, frames, permissions, a second guest, guest and switch going away (issue 13 items 1-3).
 */
class GuestControlTest
{
    @TempDir
    Path dir;

    private ControlledSwitch sw;
    private VifBackend[] backends;
    private VifRegion vifRegion;
    private GuestControlServer server;
    private Path socket;

    private void startSwitch(final int ownerUid)
    {
        startSwitch(ownerUid, 1);
    }

    private void startSwitch(final int ownerUid, final int queues)
    {
        sw = ControlledSwitch.unpolled(dir, ownerUid, queues);
        backends = sw.backends;
        vifRegion = sw.vifRegion;
        server = sw.server;
        socket = sw.socket;
    }

    @AfterEach
    void tearDown()
    {
        if (sw != null)
        {
            sw.close();
        }
    }

    private final class Guest
    {
        final GuestControlClient client;
        final VifFrontend frontend;
        final List<byte[]> received = new ArrayList<>();
        final FrameHandler handler = new FrameHandler()
        {
            @Override
            public void onFrame(final DirectBuffer buffer, final int offset, final int length,
                final FrameMetadata metadata)
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                received.add(bytes);
            }
        };

        Guest(final int domid)
        {
            this(domid, 1);
        }

        Guest(final int domid, final int queues)
        {
            final ControlledSwitch.Guest attached = sw.attach(domid, queues, false);
            client = attached.client();
            frontend = attached.frontend();
        }

        void pump()
        {
            client.sync();
            frontend.doWork();
            frontend.poll(handler, 256);
        }
    }

    /** {@return a raw connection attached to vif 1 (ATTACHED read, its descriptors closed): a guest of the test's own} */
    private ControlSocket attachedWithoutAGuest()
    {
        final ControlSocket connection = ControlSocket.connect(socket);
        connection.send(ControlMessage.attach(1, 0).encode());
        connection.receive(2).closeFds();
        return connection;
    }

    private void pumpUntil(final BooleanSupplier condition, final Guest... guests)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out; switch log: " + sw.log());
            for (final Guest guest : guests)
            {
                guest.pump();
            }
            sw.pumpBackends();
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldConnectSeveralQueuesThroughEachGuestsOwnShare()
    {
        startSwitch(HostFile.effectiveUid(), 2);
        final Guest one = new Guest(1, 4); // asks for more than the switch offers: gets 2
        final Guest two = new Guest(2, 2);
        pumpUntil(() -> one.frontend.isConnected() && two.frontend.isConnected() && backends[0].isConnected() &&
            backends[1].isConnected(), one, two);
        assertEquals(2, one.frontend.queueCount());
        assertEquals(2, backends[0].queueCount());
        assertEquals(2, two.frontend.queueCount());
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[60]);
        frame.putShort(12, (short)0x0800, java.nio.ByteOrder.BIG_ENDIAN);
        frame.putByte(14, (byte)0x45);
        frame.putShort(16, (short)46, java.nio.ByteOrder.BIG_ENDIAN);
        frame.putByte(23, (byte)6);
        frame.putByte(46, (byte)0x50); // TCP data offset: 20 bytes
        final boolean[] queuesUsed = new boolean[2];
        for (int flow = 0; flow < 32; flow++)
        {
            frame.putShort(34, (short)(1000 + flow), java.nio.ByteOrder.BIG_ENDIAN);
            queuesUsed[one.frontend.txQueueFor(frame, 0, 60)] = true;
            assertEquals(VifFrontend.OK, one.frontend.transmit(frame, 0, 60));
        }
        one.frontend.flush();
        pumpUntil(() -> two.received.size() == 32, one, two);
        assertTrue(queuesUsed[0] && queuesUsed[1], "32 flows used both queues");
    }

    @Test
    void shouldCarryFramesBetweenGuestsThatShareNothingWithEachOther()
    {
        startSwitch(HostFile.effectiveUid());
        final long startNs = System.nanoTime();
        final Guest one = new Guest(1);
        final long attachedNs = System.nanoTime();
        pumpUntil(() -> one.frontend.isConnected() && backends[0].isConnected(), one);
        System.out.printf("guest attach (connect, ATTACHED + memfd, adopt, netfront start): %.2f ms; to Connected: %.2f ms%n",
            (attachedNs - startNs) / 1e6, (System.nanoTime() - startNs) / 1e6);
        final long secondNs = System.nanoTime();
        final Guest two = new Guest(2);
        final long secondAttachedNs = System.nanoTime();
        pumpUntil(() -> one.frontend.isConnected() && two.frontend.isConnected() && backends[0].isConnected() &&
            backends[1].isConnected(), one, two);
        System.out.printf("second guest (warm JVM): attach %.2f ms; to Connected: %.2f ms%n",
            (secondAttachedNs - secondNs) / 1e6, (System.nanoTime() - secondNs) / 1e6);
        for (int i = 0; i < 100; i++)
        {
            final UnsafeBuffer frame = frame(60 + i, i);
            while (one.frontend.transmit(frame, 0, frame.capacity()) != VifFrontend.OK)
            {
                pumpUntil(() -> true, one, two);
                one.pump();
                sw.pumpBackends();
            }
            one.frontend.flush();
        }
        pumpUntil(() -> two.received.size() == 100, one, two);
        for (int i = 0; i < 100; i++)
        {
            assertArrayEquals(frame(60 + i, i).byteArray(), two.received.get(i));
        }
        // each share holds its own vif's sections and nothing else: no store, no counters, no other vif
        for (final Guest guest : List.of(one, two))
        {
            final List<String> names = new ArrayList<>();
            for (final RegionSection section : guest.client.share().region().sections())
            {
                names.add(section.name());
            }
            final int domid = guest.frontend.config().domid();
            assertEquals(List.of(VifSections.pagesName(domid, 0), VifSections.grantsName(domid, 0),
                VifSections.eventsName(domid, 0)), names);
        }
        assertNotEquals(one.client.share().fd(), two.client.share().fd());
        assertEquals(2, server.attaches());
    }

    @Test
    void shouldRefuseSecondGuestForAttachedVif()
    {
        startSwitch(HostFile.effectiveUid());
        final Guest first = new Guest(1);
        pumpUntil(() -> first.frontend.isConnected(), first);
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> GuestControlClient.attach(socket, VifConfig.of(1, 0)));
        assertTrue(ex.getMessage().contains("vif1.0 is already attached by pid " + ProcessHandle.current().pid()),
            ex.getMessage());
        pumpUntil(() -> first.frontend.isConnected() && backends[0].isConnected(), first);
        assertEquals(1, server.refused());
        final IllegalStateException none = assertThrows(IllegalStateException.class,
            () -> GuestControlClient.attach(socket, VifConfig.of(7, 0)));
        assertTrue(none.getMessage().contains("no vif7.0"), none.getMessage());
    }

    @Test
    void shouldRefuseAKindNoShareCanRecordAtConstruction()
    {
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(1, 1));
            ControlSocket listener = ControlSocket.listen(dir.resolve("bad.sock"), false))
        {
            final XenStore store = VifRegion.create(region, 1, 1).store();
            for (final String kind : List.of("", "vif-run-9", "Bench", "bench process"))
            {
                final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> new GuestControlServer(listener, store, List.of(), kind, System.out));
                assertTrue(ex.getMessage().startsWith("kind=" + kind + " is no role"), ex.getMessage());
            }
        }
    }

    @Test
    void shouldNameAVifRunProcessInItsRefusalsAndLogLines()
    {
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(1, 1));
            GuestControlServer vifRun = new GuestControlServer(ControlSocket.listen(dir.resolve("vif-run.sock"), false),
                VifRegion.create(region, 1, 1).store(), List.of(), RegionDescriptor.ROLE_VIF_RUN,
                new PrintStream(log, true, StandardCharsets.UTF_8)).start())
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> GuestControlClient.attach(dir.resolve("vif-run.sock"), VifConfig.of(1, 0)));
            assertEquals("attach refused: no vif1.0 on this vif-run process", ex.getMessage());
            assertEquals(1, vifRun.refused());
            final String lines = log.toString(StandardCharsets.UTF_8);
            assertTrue(lines.startsWith("pvnet vif-run: refused pid " + ProcessHandle.current().pid()), lines);
            assertFalse(lines.contains("switch"), lines);
        }
    }

    @Test
    void shouldEndAnAttachThatAListenerNeverAnswersAtItsTimeoutOrItsStop()
    {
        // a switch stopped with SIGSTOP or wedged: the connect completes into its backlog and nothing answers
        final Path wedged = dir.resolve("wedged.sock");
        try (ControlSocket neverAccepts = ControlSocket.listen(wedged, false))
        {
            final long start = System.nanoTime();
            final AttachUnansweredException ex = assertThrows(AttachUnansweredException.class,
                () -> GuestControlClient.attach(wedged, VifConfig.of(1, 0), 200_000_000L, () -> false));
            final long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // before a share says otherwise, the process serving the socket is a switch
            assertEquals("no answer from the switch", ex.getMessage());
            assertTrue(waitedMs >= 200 && waitedMs < 5_000, "gave up after " + waitedMs + " ms");
            assertTrue(neverAccepts.awaitReady(0), "the attach connected");

            // no timeout: its stop ends the wait, looked at once per slice
            final int[] looks = new int[1];
            assertNull(GuestControlClient.attach(wedged, VifConfig.of(1, 0), Long.MAX_VALUE, () -> ++looks[0] == 3));
            assertEquals(3, looks[0]);
        }
    }

    @Test
    void shouldAttachAGuestThatArrivesWhileTheVifsPreviousGuestIsLeaving() throws Exception
    {
        startSwitch(HostFile.effectiveUid());
        final Guest first = new Guest(1);
        pumpUntil(() -> first.frontend.isConnected() && backends[0].isConnected(), first);
        // a restarted guest can reach the switch before its old connection's close is seen: not refused, it waits
        final CompletableFuture<GuestControlClient> second =
            CompletableFuture.supplyAsync(() -> GuestControlClient.attach(socket, VifConfig.of(1, 0)));
        Thread.sleep(100); // the second attach is now at the switch, vif 1 still held
        assertFalse(second.isDone(), "answered while vif 1 was still held: " + sw.log());
        first.client.close();
        pumpUntil(second::isDone);
        final GuestControlClient client = second.get();
        try
        {
            assertNotNull(client.share());
            assertEquals(0, server.refused(), sw.log());
            // the switch counts an attach after it sent the answer: the guest may have it first
            pumpUntil(() -> server.attaches() == 2);
        }
        finally
        {
            client.close();
        }
    }

    @Test
    void shouldRefuseAGuestThatIsNotTheVifOwner()
    {
        final int self = HostFile.effectiveUid();
        startSwitch(self + 1000);
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> GuestControlClient.attach(socket, VifConfig.of(1, 0)));
        assertTrue(ex.getMessage().contains("uid " + self + " may not attach vif1.0") &&
            ex.getMessage().contains("owner is uid " + (self + 1000)), ex.getMessage());
        assertEquals(XenbusState.INIT_WAIT, backends[0].state());
    }

    @Test
    void shouldCloseTheVifAtOnceWhenItsGuestGoesAndAcceptANewOne()
    {
        startSwitch(HostFile.effectiveUid());
        final Guest first = new Guest(1);
        pumpUntil(() -> backends[0].isConnected(), first);
        first.client.close();
        final long goneNs = System.nanoTime();
        pumpUntil(() -> backends[0].state() == XenbusState.CLOSED);
        final long closedNs = System.nanoTime() - goneNs;
        final long closedMs = TimeUnit.NANOSECONDS.toMillis(closedNs);
        System.out.printf("guest gone (connection closed) -> its vif Closed after %.2f ms%n", closedNs / 1e6);
        assertTrue(closedMs < 100, "vif closed " + closedMs + " ms after its guest went");
        final Guest second = new Guest(1);
        pumpUntil(() -> backends[0].isConnected() && second.frontend.isConnected(), second);
        assertEquals(2, server.attaches());
        assertTrue(sw.log().contains("vif1.0 detached"), sw.log());
    }

    @Test
    void shouldStopItsThreadsWhenClosedByAnInterruptedThread() throws InterruptedException
    {
        final java.util.Set<Thread> before = threadsNamed("pvnet-control-accept", "pvnet-control-watch");
        startSwitch(HostFile.effectiveUid());
        final java.util.Set<Thread> started = threadsNamed("pvnet-control-accept", "pvnet-control-watch");
        started.removeAll(before);
        assertEquals(2, started.size(), "the server's acceptor and watch threads: " + started);
        final Thread acceptor = started.stream().filter(t -> t.getName().equals("pvnet-control-accept")).findFirst()
            .orElseThrow();
        // the acceptor is still alive when close() joins it, whatever the scheduling: a platform thread ends by
        // notifying waiting joiners under its own monitor (Thread.join's implNote), so while this thread holds that
        // monitor the acceptor cannot finish ending, and close()'s join (re-entering the monitor) waits, and throws
        // at once for the pending interrupt. Without the hold the acceptor usually ended before the join, and the
        // join returned without throwing.
        synchronized (acceptor)
        {
            assertTrue(acceptor.isAlive());
            Thread.currentThread().interrupt();
            server.close();
            assertTrue(acceptor.isAlive(), "the acceptor ended while its monitor was held: this test's premise " +
                "(a thread ends by notifying joiners under its own monitor) no longer holds");
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        }
        for (final Thread thread : started)
        {
            assertTrue(thread.join(java.time.Duration.ofSeconds(5)),
                thread.getName() + " stopped although close() was interrupted in its join");
        }
    }

    private static java.util.Set<Thread> threadsNamed(final String... names)
    {
        final java.util.Set<Thread> threads = new java.util.HashSet<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (List.of(names).contains(thread.getName()) && thread.isAlive())
            {
                threads.add(thread);
            }
        }
        return threads;
    }

    @Test
    void shouldSeeTheSwitchGoWithinMilliseconds()
    {
        startSwitch(HostFile.effectiveUid());
        final Guest guest = new Guest(1);
        pumpUntil(() -> backends[0].isConnected(), guest);
        final long closedNs = System.nanoTime();
        server.close();
        final long deadline = closedNs + TimeUnit.MILLISECONDS.toNanos(100);
        while (guest.client.goneReason() == null && System.nanoTime() - deadline < 0)
        {
            Thread.onSpinWait();
        }
        assertNotNull(guest.client.goneReason(), "switch death seen within 100 ms");
        System.out.printf("switch gone (connections closed) -> guest knows after %.3f ms%n",
            (guest.client.goneAtNs() - closedNs) / 1e6);
        assertEquals("the switch closed the control connection (it stopped or died)", guest.client.goneReason());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"switch, the switch", "bench, the bench process"})
    void shouldNameTheHostAsTheKindItRecordsInTheShareWhenItGoes(final String kind, final String named)
    {
        // no region file beside the socket (as a bench's host): only the share says what the host is
        sw = ControlledSwitch.unpolled(dir, HostFile.effectiveUid(), 1, kind);
        final Guest guest = new Guest(1);
        assertEquals(named, guest.client.server());
        sw.server.close();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (guest.client.goneReason() == null && System.nanoTime() - deadline < 0)
        {
            Thread.onSpinWait();
        }
        assertEquals(named + " closed the control connection (it stopped or died)", guest.client.goneReason());
    }

    @Test
    void shouldRefuseStoreWritesOutsideTheGuestsOwnDirectory()
    {
        startSwitch(HostFile.effectiveUid());
        final Guest victim = new Guest(2);
        try (ControlSocket attacker = attachedWithoutAGuest())
        {
            final String victimState = victim.frontend.config().backendDir() + "/state";
            attacker.send(ControlMessage.write(victimState, "6").encode());
            attacker.send(ControlMessage.write("device/vif/2/0/tx-ring-ref", "9").encode());
            attacker.send(ControlMessage.remove("device/vif/2/0/state").encode());
            attacker.send(ControlMessage.write("device/vif/1/0/../../2/0/state", "6").encode());
            attacker.send(ControlMessage.write("backend/vif/1/0/state", "6").encode());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.deniedWrites() < 5 && System.nanoTime() - deadline < 0)
            {
                Thread.onSpinWait();
            }
            assertEquals(5, server.deniedWrites());
            pumpUntil(() -> victim.frontend.isConnected() && backends[1].isConnected(), victim);
            assertNotEquals("6", vifRegion.store().read(victimState));
        }
    }

    @Test
    void shouldAddWhatAGuestsReportedCountersGrewToItsOwnVifOnly()
    {
        startSwitch(HostFile.effectiveUid());
        final Guest victim = new Guest(2);
        final io.pvnet.engine.vif.VifCounters mine = backends[0].counters();
        final io.pvnet.engine.vif.VifCounters theirs = backends[1].counters();
        try (ControlSocket reporter = attachedWithoutAGuest())
        {
            reporter.send(ControlMessage.counters(new long[] {100, 1, 90, 0, 40, 60}).encode());
            // a count that goes down (a lying or restarted frontend) adds nothing; extra counts are ignored
            reporter.send(ControlMessage.counters(new long[] {50, 1, 95, 0, 40, 60, 7, 7}).encode());
            reporter.send(ControlMessage.counters(new long[] {150, 1, 95, 2, 41, 60}).encode());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (mine.get(io.pvnet.engine.vif.VifCounters.FRONT_TX_PACKETS) != 150 && System.nanoTime() - deadline < 0)
            {
                Thread.onSpinWait();
            }
            assertEquals(150, mine.get(io.pvnet.engine.vif.VifCounters.FRONT_TX_PACKETS));
            assertEquals(1, mine.get(io.pvnet.engine.vif.VifCounters.FRONT_TX_BUSY));
            assertEquals(95, mine.get(io.pvnet.engine.vif.VifCounters.FRONT_RX_PACKETS));
            assertEquals(2, mine.get(io.pvnet.engine.vif.VifCounters.FRONT_RX_ERRORS));
            assertEquals(41, mine.get(io.pvnet.engine.vif.VifCounters.FRONT_NOTIFY_SENT));
            assertEquals(60, mine.get(io.pvnet.engine.vif.VifCounters.FRONT_NOTIFY_SUPPRESSED));
            assertEquals(0, mine.get(io.pvnet.engine.vif.VifCounters.RX_PACKETS), "only front-* kinds");
            assertEquals(0, theirs.get(io.pvnet.engine.vif.VifCounters.FRONT_TX_PACKETS), "another vif untouched");
            assertEquals(0, server.protocolErrors());
        }
        pumpUntil(() -> victim.frontend.isConnected() && backends[1].isConnected(), victim);
    }

    @Test
    void shouldDisconnectAGuestThatStopsReadingRatherThanHoldBackTheOthersWatchEvents()
    {
        startSwitch(HostFile.effectiveUid());
        try (ControlSocket stalled = attachedWithoutAGuest())
        {
            // from here vif 1's guest reads nothing: its backend keys keep changing (pushed by the one watch thread)
            // until its connection's buffer is full; a push that waited for it would hold every other guest's too
            // 16 keys a round: the buffer fills in a few dozen of the watch thread's passes, even on a loaded machine
            final String keys = backends[0].config().backendDir() + "/churn-";
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; server.overruns() == 0; i++)
            {
                assertTrue(System.nanoTime() - deadline < 0, "never disconnected; switch log: " + sw.log());
                for (int k = 0; k < 16; k++)
                {
                    vifRegion.store().write(keys + k, Integer.toString(i));
                }
                server.storeChanged();
                LockSupport.parkNanos(20_000);
            }
            assertTrue(sw.log().contains("vif1.0 detached: pid " + ProcessHandle.current().pid() + " stopped reading " +
                "its control connection (watch events backed up); disconnected"), sw.log());
            // the others' watch events still flow: a guest attaching now reaches Connected (its backend's state
            // changes reach it through the same watch thread)
            final Guest other = new Guest(2);
            pumpUntil(() -> other.frontend.isConnected() && backends[1].isConnected(), other);
            // the stalled guest finds its connection ended once it reads what was queued
            boolean ended = false;
            while (!ended && stalled.awaitReady(1_000_000_000L))
            {
                ended = stalled.receive(0) == null;
            }
            assertTrue(ended, "the stalled guest's connection stayed open");
            assertEquals(1, server.overruns());
        }
    }

    @Test
    void shouldCloseTheConnectionOfAGuestItDetachesForAProtocolError()
    {
        startSwitch(HostFile.effectiveUid());
        try (ControlSocket guest = attachedWithoutAGuest())
        {
            guest.send(ControlMessage.attach(1, 0).encode()); // a second ATTACH: the server detaches this guest
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            boolean ended = false;
            while (!ended && System.nanoTime() - deadline < 0)
            {
                // watch events may come first; then the end of the stream, once the detached session is closed
                ended = guest.awaitReady(50_000_000L) &&
                    guest.receive(0) == null;
            }
            assertTrue(ended, "the detached guest's connection stayed open; switch log: " + sw.log());
            assertEquals(1, server.protocolErrors());
            assertTrue(sw.log().contains("vif1.0 detached"), sw.log());
        }
    }

    @Test
    void shouldCloseOnlyTheConnectionThatSendsGarbage()
    {
        startSwitch(HostFile.effectiveUid());
        final Guest victim = new Guest(2);
        pumpUntil(() -> victim.frontend.isConnected() && backends[1].isConnected(), victim);
        final Random random = new Random(5);
        for (int round = 0; round < 200; round++)
        {
            try (ControlSocket attacker = ControlSocket.connect(socket))
            {
                if (round % 2 == 0)
                {
                    attacker.send(ControlMessage.attach(1, 0).encode());
                    final ControlSocket.Message answer = attacker.receive(2);
                    if (answer != null)
                    {
                        answer.closeFds();
                    }
                }
                final byte[] garbage = new byte[1 + random.nextInt(64)];
                random.nextBytes(garbage);
                if (round % 3 == 0)
                {
                    garbage[0] = (byte)(1 + random.nextInt(7)); // a known type with a bad body
                }
                attacker.send(garbage);
                attacker.receive(2); // the switch ends the connection (or ignores a harmless message)
            }
            catch (final RuntimeException peerGone)
            {
                // the switch may have closed first
            }
            victim.pump();
            sw.pumpBackends();
        }
        pumpUntil(() -> victim.frontend.isConnected() && backends[1].isConnected(), victim);
        assertTrue(server.protocolErrors() > 50, "garbage counted: " + server.protocolErrors());
        assertEquals(ProcessHandle.current().pid(), server.attachedPid(2));
    }

    private static UnsafeBuffer frame(final int length, final int seed)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i++)
        {
            frame.putByte(i, (byte)(seed * 31 + i * 7));
        }
        return frame;
    }
}

package io.pvnet.perf.cli.engine;

import io.pvnet.engine.control.GuestShare;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.LinuxCalls;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GuestNode}'s reconnect in this JVM, under an Agrona runner as {@code pvnet guest} runs it, against a fake
 * switch ({@link FakeSwitch}) that dies and comes back answering with something the guest cannot use. The node ends
 * once, naming why; its runner stops by itself; nothing of either attach stays open; it never tries again.
 */
class GuestNodeReconnectTest
{
    private static final VifConfig VIF1 = VifConfig.of(1, 0);

    @TempDir
    Path dir;

    @Test
    void shouldEndOnceWhenTheSwitchComesBackWithTheShareOfAnotherVif() throws Exception
    {
        // the netfront finds none of vif 1's sections there and cannot allocate them (io.pvnet.ring's RegionException)
        try (GuestShare wrongVif = GuestShare.create(VifConfig.of(2, 0)))
        {
            final String failure = reconnectFailure(RegionDescriptor.ROLE_SWITCH, "the switch",
                fake -> fake.answerNextAttach(wrongVif));
            assertTrue(failure.contains("cannot start the netfront in the share from the switch") &&
                failure.contains("no room for section: name=vif.1.0.pages"), failure);
        }
    }

    @Test
    void shouldEndOnceWhenTheSwitchComesBackWithMemoryThatIsNoSealedMemfd() throws Exception
    {
        final int notMemory = LinuxCalls.eventfd();
        try
        {
            final String failure = reconnectFailure(RegionDescriptor.ROLE_SWITCH, "the switch",
                fake -> fake.answerNextAttach(notMemory, GuestShare.lengthBytes(1)));
            assertTrue(failure.contains("unusable share from the switch: ") &&
                failure.contains("is not a sealable memfd"), failure);
        }
        finally
        {
            LinuxCalls.close(notMemory);
        }
    }

    @Test
    void shouldNameABenchProcessNotASwitchWhenItEndsAfterLosingIt() throws Exception
    {
        // the first share says "bench"; the second (vif 2's, from a host that records no kind) says nothing: the
        // reconnect names the host as the one it lost
        try (GuestShare wrongVif = GuestShare.create(VifConfig.of(2, 0)))
        {
            final String failure = reconnectFailure("bench", "the bench process",
                fake -> fake.answerNextAttach(wrongVif));
            assertTrue(failure.startsWith("lost the bench process and could not reconnect: cannot start the " +
                "netfront in the share from the bench process at "), failure);
            assertFalse(failure.contains("switch"), failure);
        }
    }

    @ParameterizedTest(name = "share ''{0}'': {1}")
    @CsvSource({"switch, the switch", "bench, the bench process", "'', the switch"})
    void shouldNameTheProcessItLostAsItsShareSays(final String shareRole, final String named) throws Exception
    {
        // no status file at the region's path (the guest never reads one): only the share says what the host is; a
        // share without a kind (an older host) leaves the switch, as --region documents
        final Path region = dir.resolve("r");
        try (FakeSwitch fake = new FakeSwitch(region); GuestShare share = GuestShare.create(VIF1, shareRole))
        {
            final CountDownLatch dies = new CountDownLatch(1);
            final FutureTask<Boolean> server = FakeSwitch.run(() ->
            {
                try (ControlSocket ignored = fake.answerNextAttach(share))
                {
                    dies.await();
                }
                return true;
            });
            final ByteArrayOutputStream log = new ByteArrayOutputStream();
            final GuestNode node = open(region, false, log);
            try
            {
                dies.countDown();
                assertTrue(server.get(30, TimeUnit.SECONDS));
                final String failure = runUntilItEnds(node);
                assertTrue(failure != null && failure.startsWith("lost " + named + ": "), failure + " " + log);
                assertLostReason(named, failure.substring(("lost " + named + ": ").length()));
                assertEquals(named.equals("the switch"), failure.contains("switch"), failure);
            }
            finally
            {
                dies.countDown();
                node.close();
            }
        }
    }

    /**
     * Asserts that {@code reason}, why a guest's connection ended, names the process as {@code named}: its hang-up seen
     * by the reader thread, or a send of the guest's that failed first (a race: both follow the fake's close).
     */
    private static void assertLostReason(final String named, final String reason)
    {
        assertTrue(reason.equals(named + " closed the control connection (it stopped or died)") ||
            reason.startsWith("sending to " + named + " failed: "), reason);
    }

    @Test
    void shouldNameTheProcessItCannotReachAgainAsTheOneItLost() throws Exception
    {
        // a bench process known from its share goes for good, socket and all: the reconnect's give-up line names it
        // as the process it had, with no hint to start a switch
        final Path region = dir.resolve("r");
        final FakeSwitch fake = new FakeSwitch(region);
        try (GuestShare share = GuestShare.create(VIF1, "bench"))
        {
            final FutureTask<Boolean> server = FakeSwitch.run(() ->
            {
                fake.answerNextAttach(share).close();
                return true;
            });
            final ByteArrayOutputStream log = new ByteArrayOutputStream();
            final GuestNode node = open(region, true, 500_000_000L, log);
            try
            {
                assertTrue(server.get(30, TimeUnit.SECONDS));
                fake.close(); // the socket goes too: nobody listens, nothing says what was there
                final String failure = runUntilItEnds(node);
                assertTrue(failure != null && failure.startsWith("lost the bench process and could not reconnect: " +
                    "cannot reach the bench process at " + RegionArgument.controlSocket(region) + ": ") &&
                    failure.endsWith("; gave up after --wait 0.5 s (--wait SECONDS waits longer)"),
                    failure + " " + log);
            }
            finally
            {
                node.close();
            }
        }
        finally
        {
            fake.close();
        }
    }

    /**
     * Runs {@code node}'s duty cycle on this thread until it ends itself, for at most 20 s; a cycle without work parks
     * 1 ms instead of spinning.
     *
     * @return its failure, or null when it did not end.
     */
    private static String runUntilItEnds(final GuestNode node)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0)
        {
            try
            {
                if (node.doWork() == 0)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            catch (final AgentTerminationException ex)
            {
                return ex.getMessage();
            }
        }
        return null;
    }

    /** Opens a node on vif 1 of {@code region}, as {@code pvnet guest} does (its JVM closed to others meanwhile). */
    private static GuestNode open(final Path region, final boolean reconnect, final ByteArrayOutputStream log)
        throws InterruptedException
    {
        return open(region, reconnect, 5_000_000_000L, log);
    }

    /** As {@link #open(Path, boolean, ByteArrayOutputStream)}, waiting for the process up to {@code waitNs}. */
    private static GuestNode open(final Path region, final boolean reconnect, final long waitNs,
        final ByteArrayOutputStream log) throws InterruptedException
    {
        final boolean dumpable = LinuxCalls.isDumpable();
        try
        {
            return GuestNode.open(new GuestNode.Settings(region, VIF1, 0x0a510001, 24, null), waitNs,
                GuestNode.NO_STOP, reconnect, new PrintStream(log, true, StandardCharsets.UTF_8));
        }
        finally
        {
            LinuxCalls.setDumpable(dumpable); // open() closed this JVM to others, as a guest process does
        }
    }

    /**
     * Attaches a node to a fake host whose first share records {@code role}, runs it, lets the host die and come back
     * answering with {@code secondAnswer}; asserts how the node ended, naming the process as {@code named}.
     *
     * @return the node's failure.
     */
    private String reconnectFailure(final String role, final String named,
        final Function<FakeSwitch, ControlSocket> secondAnswer) throws Exception
    {
        final Path region = dir.resolve("r");
        try (FakeSwitch fake = new FakeSwitch(region); GuestShare share = GuestShare.create(VIF1, role))
        {
            final Opened before = Opened.now();
            final CountDownLatch switchDies = new CountDownLatch(1);
            final FutureTask<Boolean> server = FakeSwitch.run(() ->
            {
                try (ControlSocket first = fake.answerNextAttach(share))
                {
                    switchDies.await();
                }
                try (ControlSocket second = secondAnswer.apply(fake))
                {
                    return FakeSwitch.closedByGuestWithin(second, 20_000_000_000L);
                }
            });
            final ByteArrayOutputStream log = new ByteArrayOutputStream();
            final List<Throwable> errors = new CopyOnWriteArrayList<>();
            final String failure;
            GuestNode node = null;
            AgentRunner runner = null;
            try
            {
                node = open(region, true, log);
                runner = new AgentRunner(node.idleStrategy(IdleMode.SLEEP), errors::add, null, node);
                final Thread guestThread = AgentRunner.startOnThread(runner);
                switchDies.countDown();
                assertTrue(server.get(30, TimeUnit.SECONDS), "the guest kept its second connection open");
                guestThread.join(10_000);
                assertFalse(guestThread.isAlive(),
                    "the guest's runner went on after the failure: " + summary(errors) + log);
                failure = node.failure();
                assertTrue(failure != null && failure.startsWith("lost " + named + " and could not reconnect: "),
                    failure + " " + summary(errors) + log);
                assertFalse(failure.contains("\n"), failure);
                assertEquals(1, errors.size(), summary(errors));
                assertEquals(failure, errors.getFirst().getMessage());
                assertNotNull(errors.getFirst().getCause(), "the failure's cause was dropped");
                assertEquals(1, log.toString(StandardCharsets.UTF_8).split("reconnecting", -1).length - 1,
                    log.toString());
                final String line = log.toString(StandardCharsets.UTF_8).lines()
                    .filter(reconnecting -> reconnecting.endsWith("reconnecting")).findFirst().orElse("");
                assertTrue(line.startsWith("pvnet guest: lost " + named + " (") && line.endsWith("); reconnecting"),
                    line);
                assertLostReason(named, line.substring(("pvnet guest: lost " + named + " (").length(),
                    line.length() - "); reconnecting".length()));
                // run once more by hand (its thread ended): the same failure, no new attach
                assertEquals(failure, assertThrows(RuntimeException.class, node::doWork).getMessage());
                assertFalse(fake.connectionPending(), "the guest tried again after it failed");
            }
            finally
            {
                switchDies.countDown(); // an early failure leaves no fake-switch thread waiting for the switch to die
                if (runner != null)
                {
                    runner.close();
                }
                if (node != null)
                {
                    node.close();
                }
            }
            // both attaches' sockets, memfds, mappings and kick eventfds are closed: nothing opened since is left
            final Opened leftOpen = Opened.now().newSince(before);
            assertTrue(leftOpen.isEmpty(), "left open: " + leftOpen);
            return failure;
        }
    }

    /** @return how many errors the runner reported, and the first two. */
    private static String summary(final List<Throwable> errors)
    {
        return errors.size() + " errors: " + errors.subList(0, Math.min(2, errors.size())) + "\n";
    }

    /**
     * The descriptors of the kinds an attach opens (sockets, memfds, eventfds) and the mappings of vif shares this JVM
     * holds, each by identity: descriptor number, link target, inode and eventfd id (from {@code /proc/self/fdinfo}),
     * and a mapping's whole {@code /proc/self/maps} line. Other test classes share this JVM and may close theirs at any
     * time, so a check asks only whether something new appeared ({@link #newSince}), never for equal counts.
     */
    private record Opened(Set<String> descriptors, Set<String> shareMappings)
    {
        static Opened now() throws IOException
        {
            final Set<String> descriptors = new TreeSet<>();
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
            {
                for (final Path fd : fds.toList())
                {
                    try
                    {
                        final String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:") || target.startsWith("/memfd:") ||
                            target.equals("anon_inode:[eventfd]"))
                        {
                            // the inode tells memfds apart, the eventfd id eventfds (their link targets are all alike)
                            final List<String> identity = Files.readAllLines(
                                Path.of("/proc/self/fdinfo").resolve(fd.getFileName())).stream()
                                .filter(line -> line.startsWith("ino:") || line.startsWith("eventfd-id:"))
                                .map(line -> line.replaceAll("\\s+", " ")).toList();
                            descriptors.add("fd " + fd.getFileName() + " -> " + target + " " + identity);
                        }
                    }
                    catch (final IOException gone)
                    {
                        // closed meanwhile (the listing's own descriptor, or another thread's)
                    }
                }
            }
            final Set<String> shareMappings = new TreeSet<>(Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.contains("/memfd:pvnet-vif")).toList());
            return new Opened(descriptors, shareMappings);
        }

        /** @return what is open now but was not in {@code before}. */
        Opened newSince(final Opened before)
        {
            final Set<String> newDescriptors = new TreeSet<>(descriptors);
            newDescriptors.removeAll(before.descriptors);
            final Set<String> newMappings = new TreeSet<>(shareMappings);
            newMappings.removeAll(before.shareMappings);
            return new Opened(newDescriptors, newMappings);
        }

        boolean isEmpty()
        {
            return descriptors.isEmpty() && shareMappings.isEmpty();
        }
    }
}

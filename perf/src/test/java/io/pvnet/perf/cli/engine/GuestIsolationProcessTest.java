package io.pvnet.perf.cli.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code switch}, {@code guest} and {@code gen} as separate processes joined only by the switch's control socket and
 * each guest's own sealed memory: kill -9 both ways (detection times printed), a switch restart with the guest
 * reconnecting, a second guest and another uid's guest refused (issue 13 item 3).
 */
class GuestIsolationProcessTest
{
    private static final Pattern ANSWERED = Pattern.compile("answered (\\d+)");
    private static final Pattern RTT_P50 = Pattern.compile("rtt over \\d+ answers: p50\\s+([\\d.]+) (ns|us|ms|s)");

    @TempDir
    Path dir;

    private static long answered(final String output)
    {
        final Matcher matcher = ANSWERED.matcher(output);
        assertTrue(matcher.find(), output);
        return Long.parseLong(matcher.group(1));
    }

    /** @return gen's round-trip p50 over the whole run, in ns. */
    private static double rttP50Ns(final String output)
    {
        final Matcher matcher = RTT_P50.matcher(output);
        assertTrue(matcher.find(), output);
        final double value = Double.parseDouble(matcher.group(1));
        return switch (matcher.group(2))
        {
            case "ns" -> value;
            case "us" -> value * 1e3;
            case "ms" -> value * 1e6;
            default -> value * 1e9;
        };
    }

    @Test
    void shouldDetachAKilledGuestAtOnceAndServeTheNextOne() throws Exception
    {
        final Path region = dir.resolve("r");
        try (CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "2"))
        {
            assertTrue(sw.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), sw.output());
            try (CommandProcess first = new CommandProcess("guest", "--region", region.toString(), "--vif", "1",
                "--ip", "10.77.0.1/24"))
            {
                assertTrue(first.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), first.output());
                assertTrue(sw.awaitOutput("vif1.0 attached by pid " + first.pid(), 10_000), sw.output());
                try (CommandProcess second = new CommandProcess("guest", "--region", region.toString(), "--vif", "1",
                    "--ip", "10.77.0.9/24"))
                {
                    assertEquals(1, second.awaitExit(20_000), second.output());
                    assertTrue(second.output().contains("already attached by pid " + first.pid()), second.output());
                }
                first.kill();
                final long detectMs = sw.millisUntilOutput("vif1.0 detached: pid " + first.pid(), 5_000);
                System.out.println("guest kill -9 -> switch detaches its vif after " + detectMs + " ms (output polled every 2 ms)");
                assertTrue(detectMs >= 0 && detectMs < 1_000, sw.output());
            }
            try (CommandProcess next = new CommandProcess("guest", "--region", region.toString(), "--vif", "1",
                "--ip", "10.77.0.1/24"))
            {
                assertTrue(next.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), next.output());
                // gen starts once the new guest answers (it was started beside a guest still starting: 80 % lost under
                // load), at 5,000/s so a guest descheduled for 50 ms still has ring room
                EchoWarmup.awaitFirstEcho(region, 2, "10.77.0.2/24", "10.77.0.1");
                try (CommandProcess gen = new CommandProcess("gen", "--region", region.toString(), "--vif", "2",
                    "--ip", "10.77.0.2/24", "--dst", "10.77.0.1", "--proto", "udp", "--echo", "--count", "10000", "--rate", "5000"))
                {
                    assertEquals(0, gen.awaitExit(30_000), gen.output());
                    assertTrue(answered(gen.output()) > 5_000, gen.output()); // traffic flows to the next guest
                }
            }
        }
    }

    @Test
    void shouldGiveUpAfterWaitNamingTheFlagAndExitNonZero() throws Exception
    {
        final Path region = dir.resolve("r");
        try (CommandProcess alone = new CommandProcess("guest", "--region", region.toString(), "--vif", "1",
            "--ip", "10.76.0.1/24", "--wait", "1"))
        {
            assertEquals(1, alone.awaitExit(20_000), alone.output());
            assertTrue(alone.output().contains("gave up after --wait 1 s"), alone.output());
            assertTrue(alone.output().contains("--wait SECONDS waits longer"), alone.output());
            assertEquals(1, alone.output().lines().filter(l -> l.startsWith("pvnet guest: ")).count(), alone.output());
        }
        final CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "1");
        assertTrue(sw.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), sw.output()); // before the guest: its --wait 1 s is short
        try (sw; CommandProcess guest = new CommandProcess("guest", "--region", region.toString(), "--vif", "1",
            "--ip", "10.76.0.1/24", "--wait", "1"))
        {
            assertTrue(guest.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), guest.output());
            sw.kill();
            // --reconnect (the default) tries for --wait, then says it gave up after it and how to wait longer
            assertEquals(1, guest.awaitExit(20_000), guest.output());
            assertTrue(guest.output().contains("lost the switch and could not reconnect"), guest.output());
            assertTrue(guest.output().contains("gave up after --wait 1 s"), guest.output());
            assertTrue(!guest.output().contains("Exception"), guest.output());
            assertEquals(1, guest.output().lines().filter(l -> l.contains("gave up after")).count(), "said once: " +
                guest.output());
        }
    }

    @Test
    void shouldKeepTryingASwitchThatHangsUpWithoutAnAnswerUntilTheWaitRunsOut() throws Exception
    {
        // a switch accepting connections while it stops (or before it serves) closes them unanswered: that is no
        // refusal, so the guest tries again within --wait, as for a socket nobody listens on yet
        final Path region = dir.resolve("r");
        final java.util.concurrent.atomic.AtomicInteger hungUp = new java.util.concurrent.atomic.AtomicInteger();
        try (io.pvnet.ring.share.ControlSocket listener =
            io.pvnet.ring.share.ControlSocket.listen(RegionArgument.controlSocket(region), false))
        {
            final Thread stopping = Thread.ofPlatform().daemon().start(() ->
            {
                io.pvnet.ring.share.ControlSocket connection;
                while ((connection = listener.accept()) != null)
                {
                    connection.close();
                    hungUp.incrementAndGet();
                }
            });
            try (CommandProcess guest = new CommandProcess("guest", "--region", region.toString(), "--vif", "1",
                "--ip", "10.77.0.1/24", "--wait", "1"))
            {
                assertEquals(1, guest.awaitExit(20_000), guest.output());
                assertTrue(guest.output().contains("the switch closed the connection without an answer"),
                    guest.output());
                assertTrue(guest.output().contains("gave up after --wait 1 s"), guest.output());
                assertFalse(guest.output().contains("Exception"), guest.output());
            }
            assertTrue(hungUp.get() >= 2, "tried again after the first hang-up: " + hungUp.get() + " connections");
            listener.close();
            stopping.join(2_000);
        }
    }

    @Test
    void shouldLetGuestsSeeTheSwitchDieReconnectAfterRestartAndFailGenNamingTheCause() throws Exception
    {
        final Path region = dir.resolve("r");
        final CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "2");
        try (CommandProcess guest = new CommandProcess("guest", "--region", region.toString(), "--vif", "1",
            "--ip", "10.78.0.1/24", "--wait", "30"))
        {
            try (sw)
            {
                assertTrue(sw.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), sw.output());
                assertTrue(guest.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), guest.output());
                try (CommandProcess gen = new CommandProcess("gen", "--region", region.toString(), "--vif", "2",
                    "--ip", "10.78.0.2/24", "--dst", "10.78.0.1", "--proto", "udp", "--echo", "--duration", "60"))
                {
                    assertTrue(sw.awaitOutput("vif2.0 attached", 20_000), sw.output());
                    Thread.sleep(500);
                    sw.kill();
                    final long guestMs = guest.millisUntilOutput("lost the switch", 5_000);
                    System.out.println("switch kill -9 -> guest sees it after " + guestMs + " ms (output polled every 2 ms)");
                    // the kernel closes the socket as the switch exits; the goal of 100 ms holds on a quiet machine
                    // (29 ms measured under load), the bound leaves room for a loaded 2-core CI
                    assertTrue(guestMs >= 0 && guestMs < 500, guestMs + " ms: " + guest.output());
                    assertEquals(1, gen.awaitExit(10_000), gen.output());
                    assertTrue(gen.output().contains("lost the switch"), gen.output());
                }
            }
            try (CommandProcess restarted = new CommandProcess("switch", "--region", region.toString(), "--vifs", "2"))
            {
                assertTrue(restarted.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), restarted.output());
                assertTrue(guest.awaitOutput("reconnected", 20_000), guest.output());
                // once idle, the reconnected guest sleeps on its new switch's port and is woken by it: a slow probe is
                // answered within milliseconds, not at the guest's 1 s sleep timeout (p50 ~500 ms, answers missing)
                Thread.sleep(1_500);
                try (CommandProcess probe = new CommandProcess("gen", "--region", region.toString(), "--vif", "2",
                    "--ip", "10.78.0.2/24", "--dst", "10.78.0.1", "--proto", "udp", "--echo", "--count", "20", "--rate", "20"))
                {
                    assertEquals(0, probe.awaitExit(30_000), probe.output() + guest.output());
                    assertEquals(20, answered(probe.output()), probe.output());
                    assertTrue(rttP50Ns(probe.output()) < 200e6, probe.output());
                    System.out.println("reconnected idle guest: probe " + probe.output().lines()
                        .filter(line -> line.startsWith("rtt over")).findFirst().orElse("without rtt"));
                }
                try (CommandProcess gen = new CommandProcess("gen", "--region", region.toString(), "--vif", "2",
                    "--ip", "10.78.0.2/24", "--dst", "10.78.0.1", "--proto", "udp", "--echo", "--count", "10000", "--rate", "5000"))
                {
                    assertEquals(0, gen.awaitExit(30_000), gen.output() + restarted.output() + guest.output());
                    assertTrue(answered(gen.output()) > 5_000, gen.output()); // traffic flows; a flood would measure the load
                }
            }
        }
    }

    @Test
    void shouldAttachAnotherUidOnlyToTheVifItOwns() throws Exception
    {
        assumeTrue(io.pvnet.ring.region.HostFile.effectiveUid() == 0 && Files.isExecutable(Path.of("/usr/bin/setpriv")),
            "needs root and setpriv to run a guest as uid 65534");
        final Path shared = Files.createDirectory(dir.resolve("shared"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        final String classPath = readableClassPath(Files.createDirectory(dir.resolve("cp"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"))));
        final List<String> nobody = List.of("/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534",
            "--clear-groups");
        final Path region = shared.resolve("r");
        try (CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "2",
            "--vif-owner", "1=65534"))
        {
            assertTrue(sw.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), sw.output());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(region)),
                "the host's region (store, counters) is not readable by the guests' uid");
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                shared.resolve("r.sock"))), "other uids may connect; SO_PEERCRED decides");
            try (CommandProcess notOwner = new CommandProcess(nobody, classPath, "guest", "--region", region.toString(),
                "--vif", "2", "--ip", "10.79.0.2/24"))
            {
                assertEquals(1, notOwner.awaitExit(30_000), notOwner.output());
                assertTrue(notOwner.output().contains("uid 65534 may not attach vif2.0"), notOwner.output());
            }
            try (CommandProcess owner = new CommandProcess(nobody, classPath, "guest", "--region", region.toString(),
                "--vif", "1", "--ip", "10.79.0.1/24"))
            {
                assertTrue(owner.awaitOutput("ready", 30_000), owner.output());
                assertTrue(sw.awaitOutput("vif1.0 attached by pid " + owner.pid() + " uid 65534", 10_000), sw.output());
            }
            try (CommandProcess rootOnOwnedVif = new CommandProcess("guest", "--region", region.toString(),
                "--vif", "1", "--ip", "10.79.0.3/24", "--wait", "2"))
            {
                assertEquals(1, rootOnOwnedVif.awaitExit(30_000), rootOnOwnedVif.output());
                assertTrue(rootOnOwnedVif.output().contains("uid 0 may not attach vif1.0"), rootOnOwnedVif.output());
            }
        }
    }

    /** Copies this JVM's class path where uid 65534 can read it (the build's repository may be private). */
    static String readableClassPath(final Path target) throws IOException
    {
        final List<String> entries = new ArrayList<>();
        int index = 0;
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            final Path source = Path.of(entry);
            if (!Files.exists(source))
            {
                continue;
            }
            final Path copy = target.resolve(index++ + "-" + source.getFileName());
            if (Files.isDirectory(source))
            {
                try (var walk = Files.walk(source))
                {
                    for (final Path path : (Iterable<Path>)walk::iterator)
                    {
                        final Path destination = copy.resolve(source.relativize(path).toString());
                        if (Files.isDirectory(path))
                        {
                            Files.createDirectories(destination);
                            Files.setPosixFilePermissions(destination, PosixFilePermissions.fromString("rwxr-xr-x"));
                        }
                        else
                        {
                            Files.copy(path, destination, StandardCopyOption.REPLACE_EXISTING);
                            Files.setPosixFilePermissions(destination, PosixFilePermissions.fromString("rw-r--r--"));
                        }
                    }
                }
            }
            else
            {
                Files.copy(source, copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            }
            entries.add(copy.toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}

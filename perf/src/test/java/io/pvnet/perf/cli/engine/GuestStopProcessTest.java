package io.pvnet.perf.cli.engine;

import io.pvnet.ring.share.ControlSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pvnet guest} stops promptly and quietly on SIGTERM (a kill; Ctrl-C's SIGINT runs the same shutdown hook) in
 * every state: waiting for the switch at start, attached and idle (with and without {@code --no-reconnect}), attached
 * under traffic, reconnecting after its switch went, and waiting for the answer of a switch that took its connection but
 * never accepts it (at start and while reconnecting). Each time: the JVM's signal exit status, its normal "stopped"
 * line last, no Agrona "failed to close" line, no exception.
 * <p>
 * Before the fix the waits for the switch (a 50 ms {@code Thread.sleep} loop for up to {@code --wait}) saw no stop: a
 * reconnecting guest stopped only when {@code AgentRunner.close()} interrupted it after its 5 s join (printing "failed to
 * close due to timeout, retrying...", then "interrupted while reconnecting" as a failure), and a guest waiting at start
 * went on waiting until the shutdown hook's 10 s limit and printed nothing. The bound, 3 s from the signal to the
 * process's exit, is generous for a loaded 2-vCPU machine (a quiet one takes 20-60 ms) and below both. The attach's
 * wait for an answer then still blocked in {@code recvmsg}, which no signal or interrupt ends: 10 s at start, "failed to
 * close" while reconnecting; and a switch that never answered kept the guest waiting past its {@code --wait} for ever.
 */
class GuestStopProcessTest
{
    private static final long STOP_WITHIN_MS = 3_000;

    @TempDir
    Path dir;

    @Test
    void shouldStopPromptlyWhileWaitingForTheSwitchAtStart() throws Exception
    {
        final Path region = dir.resolve("r");
        // a switch that is not serving yet, as a guest sees one: its socket takes the connection and hangs up. The
        // guest's first try tells that it is in its wait (after its shutdown hook is in place); the socket then goes
        // (a switch not started at all: ENOENT), and the guest keeps waiting
        final ControlSocket notServing = ControlSocket.listen(RegionArgument.controlSocket(region), false);
        try (notServing; CommandProcess guest = guestOnVif1(region, "60"))
        {
            assertTrue(acceptedAndHungUp(notServing), "the guest never tried to attach: " + guest.output());
            notServing.close(); // removes the socket file
            assertFalse(Files.exists(RegionArgument.controlSocket(region)));
            assertStopsPromptly(guest, "waiting at start", "pvnet guest: stopped while waiting for the switch");
        }
    }

    @Test
    void shouldStopPromptlyWhenAttachedAndIdleWithAndWithoutReconnect() throws Exception
    {
        final Path region = dir.resolve("r");
        try (CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "2");
            CommandProcess guest = guestOnVif1(region, "60");
            CommandProcess noReconnect = new CommandProcess("guest", "--region", region.toString(), "--vif", "2",
                "--ip", "10.81.0.2/24", "--wait", "60", "--no-reconnect"))
        {
            assertTrue(guest.awaitOutput("ready", 30_000), guest.output() + sw.output());
            assertTrue(noReconnect.awaitOutput("ready", 30_000), noReconnect.output() + sw.output());
            assertTrue(sw.awaitOutput("vif1.0 attached", 10_000) && sw.awaitOutput("vif2.0 attached", 10_000),
                sw.output());
            assertStopsPromptly(guest, "attached, idle", "pvnet guest: stopped; frames ");
            assertStopsPromptly(noReconnect, "attached, idle, --no-reconnect", "pvnet guest: stopped; frames ");
        }
    }

    @Test
    void shouldStopPromptlyUnderTraffic() throws Exception
    {
        final Path region = dir.resolve("r");
        try (CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "2");
            CommandProcess guest = guestOnVif1(region, "60"))
        {
            assertTrue(guest.awaitOutput("ready", 30_000), guest.output() + sw.output());
            try (CommandProcess gen = new CommandProcess("gen", "--region", region.toString(), "--vif", "2",
                "--ip", "10.81.0.2/24", "--dst", "10.81.0.1", "--echo", "--rate", "5000", "--duration", "60"))
            {
                // a first interval line: echoes are flowing through the guest
                assertTrue(gen.awaitOutput("0.00-1.00", 30_000), gen.output() + guest.output());
                assertStopsPromptly(guest, "under traffic", "pvnet guest: stopped; frames ");
                assertFalse(guest.output().contains(" udp-echoes 0 "), "it echoed the traffic: " + guest.output());
            }
        }
    }

    @Test
    void shouldStopPromptlyWhileReconnectingAfterTheSwitchWent() throws Exception
    {
        final Path region = dir.resolve("r");
        try (CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "2");
            CommandProcess guest = guestOnVif1(region, "60"))
        {
            assertTrue(guest.awaitOutput("ready", 30_000), guest.output() + sw.output());
            assertEquals(CommandProcess.SIGTERM_EXIT, sw.terminate(20_000), sw.output());
            assertTrue(guest.awaitOutput("reconnecting", 10_000), guest.output());
            assertStopsPromptly(guest, "reconnecting", "pvnet guest: stopped; frames ");
            assertFalse(guest.output().contains("interrupted"), guest.output());
        }
    }

    @Test
    void shouldStopPromptlyWhileASwitchThatNeverAcceptsLeavesItsAttachUnanswered() throws Exception
    {
        final Path region = dir.resolve("r");
        // a switch that is stopped (SIGSTOP), wedged, or between listening and serving: the guest's connect completes
        // into the listen backlog, and its attach waits for an answer that does not come
        try (ControlSocket neverAccepts = ControlSocket.listen(RegionArgument.controlSocket(region), false);
            CommandProcess guest = guestOnVif1(region, "60"))
        {
            awaitConnect(neverAccepts, guest);
            assertStopsPromptly(guest, "its attach unanswered at start",
                "pvnet guest: stopped while waiting for the switch");
        }
    }

    @Test
    void shouldStopPromptlyWhileReconnectingToASwitchThatNeverAccepts() throws Exception
    {
        final Path region = dir.resolve("r");
        try (CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "1");
            CommandProcess guest = guestOnVif1(region, "60"))
        {
            assertTrue(guest.awaitOutput("ready", 30_000), guest.output() + sw.output());
            assertEquals(CommandProcess.SIGTERM_EXIT, sw.terminate(20_000), sw.output()); // removes its socket
            assertTrue(guest.awaitOutput("reconnecting", 10_000), guest.output());
            try (ControlSocket neverAccepts = ControlSocket.listen(RegionArgument.controlSocket(region), false))
            {
                awaitConnect(neverAccepts, guest);
                assertStopsPromptly(guest, "reconnecting, its attach unanswered", "pvnet guest: stopped; frames ");
            }
        }
    }

    @Test
    void shouldGiveUpAfterItsWaitOnASwitchThatNeverAnswers() throws Exception
    {
        final Path region = dir.resolve("r");
        try (ControlSocket neverAccepts = ControlSocket.listen(RegionArgument.controlSocket(region), false);
            CommandProcess guest = guestOnVif1(region, "1"))
        {
            awaitConnect(neverAccepts, guest);
            // --wait 1 from its connect (a second at least): exits well within 15 s on a loaded machine
            assertEquals(1, guest.awaitExit(15_000), guest.output());
            final String output = guest.output();
            assertFalse(output.contains("Exception"), output);
            final String[] lines = output.strip().split("\n");
            assertEquals("pvnet guest: no answer from the switch at " + RegionArgument.controlSocket(region) +
                "; gave up after --wait 1 s (--wait SECONDS waits longer)", lines[lines.length - 1], output);
        }
    }

    /** @return whether a connection came within 30 s (taken and closed at once), false if none did. */
    private static boolean acceptedAndHungUp(final ControlSocket server) throws Exception
    {
        final FutureTask<ControlSocket> accept = new FutureTask<>(server::accept);
        Thread.ofPlatform().daemon().start(accept);
        try
        {
            accept.get(30, TimeUnit.SECONDS).close();
            return true;
        }
        catch (final TimeoutException ex)
        {
            server.shutdown(); // ends the accept
            return false;
        }
    }

    private static void assertStopsPromptly(final CommandProcess guest, final String state, final String lastLine)
        throws InterruptedException
    {
        final long start = System.nanoTime();
        final int exit = guest.terminate(20_000);
        final long stopMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println("pvnet guest signalled while " + state + ": exit " + exit + " after " + stopMs + " ms");
        final String output = guest.output();
        assertEquals(CommandProcess.SIGTERM_EXIT, exit, state + ": " + output);
        assertTrue(stopMs < STOP_WITHIN_MS, state + ": stopped after " + stopMs + " ms: " + output);
        assertFalse(output.contains("failed to close"), state + ": " + output);
        assertFalse(output.contains("Exception"), state + ": " + output);
        final String[] lines = output.strip().split("\n");
        assertTrue(lines[lines.length - 1].startsWith(lastLine), state + ": " + output);
    }

    /** {@return {@code pvnet guest} on vif 1 of {@code region}, waiting up to {@code waitSeconds} for its switch} */
    private static CommandProcess guestOnVif1(final Path region, final String waitSeconds)
    {
        return new CommandProcess("guest", "--region", region.toString(), "--vif", "1", "--ip", "10.81.0.1/24",
            "--wait", waitSeconds);
    }

    /** Waits until {@code guest} has connected to a listener that never accepts (its connect is in the backlog). */
    private static void awaitConnect(final ControlSocket neverAccepts, final CommandProcess guest)
    {
        assertTrue(neverAccepts.awaitReady(30_000_000_000L), "the guest never connected: " + guest.output());
    }
}

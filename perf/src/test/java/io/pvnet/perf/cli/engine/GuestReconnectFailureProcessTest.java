package io.pvnet.perf.cli.engine;

import io.pvnet.engine.control.GuestShare;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.ring.share.ControlSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pvnet guest} whose switch dies and comes back with a share it cannot use (here vif 2's, without vif 1's
 * sections): it exits 1 at once with one last line naming why, no stack trace, and tries no second time.
 */
class GuestReconnectFailureProcessTest
{
    private static final long NS_PER_S = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldExitWithOneLineWhenTheSwitchComesBackWithAShareItCannotUse() throws Exception
    {
        final Path region = dir.resolve("r");
        try (FakeSwitch fake = new FakeSwitch(region);
            GuestShare share = GuestShare.create(VifConfig.of(1, 0));
            GuestShare wrongVif = GuestShare.create(VifConfig.of(2, 0));
            CommandProcess guest = new CommandProcess("guest", "--region", region.toString(), "--vif", "1",
                "--ip", "10.81.0.1/24", "--wait", "30"))
        {
            assertTrue(fake.awaitConnection(30 * NS_PER_S), "the guest never attached: " + guest.output());
            try (ControlSocket first = fake.answerNextAttach(share))
            {
                assertTrue(guest.awaitOutput("ready", 30_000), guest.output());
            } // the switch dies
            assertTrue(guest.awaitOutput("reconnecting", 10_000), guest.output());
            assertTrue(fake.awaitConnection(10 * NS_PER_S), "the guest never attached again: " + guest.output());
            try (ControlSocket second = fake.answerNextAttach(wrongVif))
            {
                assertTrue(FakeSwitch.closedByGuestWithin(second, 10 * NS_PER_S), guest.output());
            }
            assertEquals(1, guest.awaitExit(15_000), guest.output());
            final String output = guest.output();
            assertFalse(output.contains("Exception") || output.contains("\tat "), output);
            assertEquals(1, output.split("reconnecting", -1).length - 1, output);
            final String[] lines = output.strip().split("\n");
            final String last = lines[lines.length - 1];
            assertTrue(last.startsWith("pvnet guest: lost the switch and could not reconnect: cannot start the " +
                "netfront in the share from the switch at ") && last.contains("no room for section"), output);
            assertFalse(fake.connectionPending(), "the guest tried a third attach: " + output);
        }
    }
}

package io.pvnet.perf.cli.engine;

import io.pvnet.engine.control.GuestShare;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.LinuxCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GuestNode}'s attach in this JVM, against a fake switch: what it attached is closed when the step after the
 * attach fails, and the failure is an {@link IllegalStateException} naming it on one line.
 */
class GuestNodeAttachTest
{
    private static final VifConfig VIF1 = VifConfig.of(1, 0);
    /** The guest's --wait: the fake switch listens from the start, so it bounds only the wait for its answer. */
    private static final long WAIT_NS = 20_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldCloseTheConnectionWhenItsFrontendCannotBeMadeInTheShare() throws Exception
    {
        final Path region = dir.resolve("r");
        try (FakeSwitch fake = new FakeSwitch(region); GuestShare wrongVif = GuestShare.create(VifConfig.of(2, 0)))
        {
            // a switch answering vif 1's attach with vif 2's share: the attach succeeds, the netfront finds no sections
            final FutureTask<Boolean> connectionEnded = FakeSwitch.run(() ->
            {
                try (ControlSocket connection = fake.answerNextAttach(wrongVif))
                {
                    return FakeSwitch.closedByGuestWithin(connection, 10_000_000_000L);
                }
            });
            final IllegalStateException ex = attachFailure(region);
            assertTrue(ex.getMessage().startsWith("cannot start the netfront in the share from the switch at ") &&
                ex.getMessage().contains("no room for section"), ex.getMessage());
            // the guest's socket, share and kick eventfd closed: the fake switch sees the end of the stream at once
            assertTrue(connectionEnded.get(20, TimeUnit.SECONDS), "the guest kept its connection open");
        }
    }

    @Test
    void shouldNameTheShareOnOneLineAndCloseTheConnectionWhenTheSwitchSendsNoSealedMemfd() throws Exception
    {
        final Path region = dir.resolve("r");
        final int notMemory = LinuxCalls.eventfd();
        try (FakeSwitch fake = new FakeSwitch(region))
        {
            final FutureTask<Boolean> connectionEnded = FakeSwitch.run(() ->
            {
                try (ControlSocket connection = fake.answerNextAttach(notMemory, GuestShare.lengthBytes(1)))
                {
                    return FakeSwitch.closedByGuestWithin(connection, 10_000_000_000L);
                }
            });
            // an IllegalStateException: pvnet guest prints its message as its one last line and exits 1
            final IllegalStateException ex = attachFailure(region);
            assertTrue(ex.getMessage().startsWith("unusable share from the switch: fd ") &&
                ex.getMessage().endsWith(" is not a sealable memfd: EINVAL"), ex.getMessage());
            assertTrue(connectionEnded.get(20, TimeUnit.SECONDS), "the guest kept its connection open");
        }
        finally
        {
            LinuxCalls.close(notMemory);
        }
    }

    /** @return how vif 1's attach to {@code region}'s switch failed. */
    private static IllegalStateException attachFailure(final Path region)
    {
        final boolean dumpable = LinuxCalls.isDumpable();
        try
        {
            return assertThrows(IllegalStateException.class, () -> GuestNode.open(
                new GuestNode.Settings(region, VIF1, 0x0a510001, 24, null), WAIT_NS));
        }
        finally
        {
            LinuxCalls.setDumpable(dumpable); // open() closed this JVM to others, as a guest process does
        }
    }
}

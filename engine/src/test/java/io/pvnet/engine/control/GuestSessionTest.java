package io.pvnet.engine.control;

import io.pvnet.engine.store.StoreDescriptor;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.PeerCredentials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link GuestSession}'s pushes: to a guest that stopped reading, and to the descriptor a closed connection leaves. */
class GuestSessionTest
{
    private static final VifConfig CONFIG = VifConfig.of(1, 0);

    private final XenStore store =
        XenStore.create(new UnsafeBuffer(ByteBuffer.allocateDirect(StoreDescriptor.length(64))), 64);

    /** {@return a session of vif 1 (a switch's) on {@code connection}, for a guest of pid 1} */
    private GuestSession sessionOn(final ControlSocket connection)
    {
        return new GuestSession(new VifSlot(new GuestControlServer.Vif(CONFIG, null, 0), RegionDescriptor.ROLE_SWITCH),
            connection, new PeerCredentials(1, 0, 0), store);
    }

    @Test
    void shouldNeverWaitForAGuestThatStoppedReadingButDisconnectIt()
    {
        final ControlSocket[] pair = ControlSocket.pair();
        final GuestSession session = sessionOn(pair[0]);
        try
        {
            // the watch thread's pushes to a guest that never reads (pair[1]): none waits once the buffer is full
            final int pushes = assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
            {
                int i = 0;
                while (!session.overrun() && i < 1_000_000)
                {
                    store.write(CONFIG.backendDir() + "/k", Integer.toString(i++));
                    session.publishBackendKeys();
                }
                return i;
            }, "a push waited for a guest that stopped reading");
            assertTrue(session.overrun(), "never found the buffer full in " + pushes + " pushes");
            // later pushes send nothing and return at once
            store.write(CONFIG.backendDir() + "/k", "after");
            assertTimeoutPreemptively(Duration.ofSeconds(1), session::publishBackendKeys);
            // the guest, reading at last, finds what was queued and then the end of the connection
            int queued = 0;
            ControlSocket.Message message;
            while ((message = pair[1].receive(0)) != null)
            {
                assertEquals(ControlMessage.UPDATE, ControlMessage.decode(message.data()).type());
                queued++;
            }
            // one changed key a push, one message each; the push that found the buffer full sent nothing
            assertEquals(pushes - 1, queued);
            assertFalse(session.closed(), "the serving thread closes it, once it sees the end");
        }
        finally
        {
            session.close();
            pair[1].close();
        }
    }

    @Test
    void shouldPushNothingOnceClosedEvenToTheSocketThatReusesItsDescriptorNumber()
    {
        final ControlSocket[] first = ControlSocket.pair();
        final GuestSession session = sessionOn(first[0]);
        final List<ControlSocket> opened = new ArrayList<>();
        try
        {
            store.write(CONFIG.backendDir() + "/state", "2");
            session.publishBackendKeys();
            final ControlSocket.Message pushed = first[1].receive(0);
            assertNotNull(pushed, "an open session pushes");
            assertEquals(ControlMessage.UPDATE, ControlMessage.decode(pushed.data()).type());

            // the watch thread may push to a session the serving thread has just detached and closed; meanwhile the
            // process opens another socket, and the kernel gives it the lowest free number: the closed one
            final int descriptor = first[0].fd();
            session.close();
            first[1].close();
            ControlSocket[] reused = null;
            for (int i = 0; i < 64 && reused == null; i++)
            {
                final ControlSocket[] pair = ControlSocket.pair();
                opened.add(pair[0]);
                opened.add(pair[1]);
                reused = pair[0].fd() == descriptor || pair[1].fd() == descriptor ? pair : null;
            }
            // another thread of this JVM may have taken the number first: then there is nothing to check here
            assumeTrue(reused != null, "fd " + descriptor + " was taken by another thread before 64 socket pairs");
            store.write(CONFIG.backendDir() + "/state", "4");
            session.publishBackendKeys();
            assertFalse(reused[0].awaitReady(0) || reused[1].awaitReady(0),
                "a closed session's push reached the socket now numbered " + descriptor);
        }
        finally
        {
            first[1].close();
            opened.forEach(ControlSocket::close);
        }
    }
}

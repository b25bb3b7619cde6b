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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** {@link GuestSession}'s pushes against the descriptor its connection leaves behind. */
class GuestSessionTest
{
    @Test
    void shouldPushNothingOnceClosedEvenToTheSocketThatReusesItsDescriptorNumber()
    {
        final VifConfig config = VifConfig.of(1, 0);
        final XenStore store = XenStore.create(new UnsafeBuffer(ByteBuffer.allocateDirect(StoreDescriptor.length(64))),
            64);
        final ControlSocket[] first = ControlSocket.pair();
        final GuestSession session = new GuestSession(new VifSlot(new GuestControlServer.Vif(config, null, 0),
            RegionDescriptor.ROLE_SWITCH), first[0], new PeerCredentials(1, 0, 0), store);
        final List<ControlSocket> opened = new ArrayList<>();
        try
        {
            store.write(config.backendDir() + "/state", "2");
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
            assertNotNull(reused, "fd " + descriptor + " was not reused by 64 socket pairs");
            store.write(config.backendDir() + "/state", "4");
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

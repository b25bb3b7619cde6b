package io.pvnet.engine.control;

import io.pvnet.engine.store.StoreDescriptor;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.PeerCredentials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link GuestSession}'s pushes against the descriptor its connection leaves behind, and its close. */
class GuestSessionTest
{
    /** {@code sendmsg}'s number on x86_64, as {@code /proc/PID/task/TID/syscall} shows a thread blocked in it. */
    private static final String SENDMSG_X86_64 = "46";
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
    void shouldCloseWhileAPushIsStuckOnAGuestThatStoppedReading() throws Exception
    {
        assumeTrue("amd64".equals(System.getProperty("os.arch")), "reads x86_64 syscall numbers from /proc");
        final ControlSocket[] pair = ControlSocket.pair();
        final GuestSession session = sessionOn(pair[0]);
        final AtomicReference<Path> pusherTask = new AtomicReference<>();
        final Thread pusher = Thread.ofPlatform().name("test-pusher").start(() ->
        {
            try
            {
                pusherTask.set(Path.of("/proc/self/task").resolve(
                    Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName()));
            }
            catch (final IOException ex)
            {
                pusherTask.set(Path.of("/nonexistent"));
                return;
            }
            // the watch thread's pushes to a guest that never reads (pair[1]): one blocks once the buffer is full
            for (int i = 0; !Thread.currentThread().isInterrupted(); i++)
            {
                store.write(CONFIG.backendDir() + "/k", Integer.toString(i));
                session.publishBackendKeys();
                if (session.closed())
                {
                    return;
                }
            }
        });
        try
        {
            assertTrue(awaitBlockedInSendmsg(pusherTask), "the pushes never filled the socket buffer");
            assertTimeoutPreemptively(Duration.ofSeconds(5), session::close,
                "close() waited for the push stuck in sendmsg");
            assertTrue(session.closed());
            pusher.join(TimeUnit.SECONDS.toMillis(5));
            assertFalse(pusher.isAlive(), "the push stayed stuck after the close");
        }
        finally
        {
            pair[1].close(); // frees a push the old close() left stuck
            pusher.interrupt();
            pusher.join(TimeUnit.SECONDS.toMillis(5));
            pair[0].close();
        }
    }

    /** Waits up to 10 s until the pushing thread sleeps in {@code sendmsg}: its send blocked. */
    private static boolean awaitBlockedInSendmsg(final AtomicReference<Path> task) throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0)
        {
            final Path path = task.get();
            if (path != null)
            {
                assumeTrue(Files.isRegularFile(path.resolve("syscall")), "no /proc/thread-self/syscall");
                final String syscall = Files.readString(path.resolve("syscall")).strip();
                final String stat = Files.readString(path.resolve("stat"));
                final char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (syscall.startsWith(SENDMSG_X86_64 + " ") && state == 'S')
                {
                    return true;
                }
            }
            LockSupport.parkNanos(1_000_000L);
        }
        return false;
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

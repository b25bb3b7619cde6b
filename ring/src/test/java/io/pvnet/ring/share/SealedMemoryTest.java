package io.pvnet.ring.share;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Seals, adoption checks and descriptor hygiene (reference checklist items 1-3, 6, 7, 9). */
class SealedMemoryTest
{
    @TempDir
    Path dir;

    @Test
    void shouldSealAgainstShrinkGrowAndFurtherSeals()
    {
        try (SealedMemory memory = SealedMemory.create("pvnet-test", 64 * 1024))
        {
            assertEquals(SealedMemory.REQUIRED_SEALS, LinuxCalls.seals(memory.fd()) & SealedMemory.REQUIRED_SEALS);
            assertEquals(-LinuxCalls.EPERM, LinuxCalls.truncate(memory.fd(), 0));
            assertEquals(-LinuxCalls.EPERM, LinuxCalls.truncate(memory.fd(), 128 * 1024));
            assertEquals(-LinuxCalls.EPERM, LinuxCalls.raw(LinuxCalls.FCNTL, memory.fd(), LinuxCalls.F_ADD_SEALS,
                LinuxCalls.F_SEAL_WRITE, 0, 0, 0));
            assertTrue(LinuxCalls.isCloseOnExec(memory.fd()));
            memory.buffer().putLong(64 * 1024 - 8, 7);
            assertEquals(7, memory.buffer().getLong(64 * 1024 - 8));
        }
    }

    @Test
    void shouldRefuseUnsealedOrWrongSizedMemoryAndCloseIt()
    {
        final int unsealed = (int)LinuxCalls.check("memfd_create", LinuxCalls.MEMFD_CREATE,
            Arenas.cString("x"), LinuxCalls.MFD_CLOEXEC, 0);
        LinuxCalls.check("ftruncate", LinuxCalls.FTRUNCATE, unsealed, 4096, 0);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> SealedMemory.adopt(unsealed, 4096));
        assertTrue(ex.getMessage().contains("lacks seals"), ex.getMessage());
        assertFalse(isOpen(unsealed), "a refused descriptor is closed");

        try (SealedMemory memory = SealedMemory.create("pvnet-test", 8192))
        {
            final int copy = dup(memory);
            final IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> SealedMemory.adopt(copy, 4096));
            assertTrue(size.getMessage().contains("size=8192"), size.getMessage());
            assertFalse(isOpen(copy));
        }
    }

    @Test
    void shouldPassMemoryOverSocketAndShareWrites()
    {
        final ControlSocket[] pair = ControlSocket.pair();
        try (ControlSocket a = pair[0]; ControlSocket b = pair[1];
            SealedMemory memory = SealedMemory.create("pvnet-test", 4096))
        {
            a.send("hello".getBytes(StandardCharsets.US_ASCII), memory.fd());
            final ControlSocket.Message message = b.receive(1);
            assertEquals("hello", new String(message.data(), StandardCharsets.US_ASCII));
            assertEquals(1, message.fds().length);
            assertTrue(LinuxCalls.isCloseOnExec(message.fds()[0]), "received descriptors are close-on-exec");
            try (SealedMemory adopted = SealedMemory.adopt(message.fds()[0], 4096))
            {
                adopted.buffer().putInt(100, 42);
                assertEquals(42, memory.buffer().getInt(100));
            }
            assertEquals(ProcessHandle.current().pid(), b.peer().pid());
        }
    }

    @Test
    void shouldLetOnlyTheCreatorWriteMemoryWrittenByCreatorOnly() throws IOException
    {
        final ControlSocket[] pair = ControlSocket.pair();
        try (ControlSocket a = pair[0]; ControlSocket b = pair[1];
            SealedMemory counters = SealedMemory.createWrittenByCreatorOnly("pvnet-counters", 8192))
        {
            assertEquals(SealedMemory.READ_ONLY_SEALS, LinuxCalls.seals(counters.fd()) & SealedMemory.READ_ONLY_SEALS);
            counters.buffer().putLong(8, 42); // the creator's mapping, made before the seal, stays writable
            a.send(new byte[] {1}, counters.fd());
            final int received = b.receive(1).fds()[0];
            final int probe = (int)LinuxCalls.check("fcntl(F_DUPFD_CLOEXEC)", LinuxCalls.FCNTL, received, 1030, 0);
            try (SealedMemory reader = SealedMemory.adoptReadOnly(received, 8192))
            {
                assertEquals(42, reader.buffer().getLong(8));
                counters.buffer().putLong(8, 43);
                assertEquals(43, reader.buffer().getLong(8), "the reader sees the creator's writes");
                // whoever holds the descriptor: no writable mapping, no write(2), no truncation, no unsealing
                assertEquals(-LinuxCalls.EPERM, LinuxCalls.raw(LinuxCalls.MMAP, 0, 8192,
                    LinuxCalls.PROT_READ | LinuxCalls.PROT_WRITE, LinuxCalls.MAP_SHARED, probe, 0));
                try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined())
                {
                    final long bytes = arena.allocate(8).address();
                    assertEquals(-LinuxCalls.EPERM, LinuxCalls.raw(LinuxCalls.AARCH64 ? 64 : 1, probe, bytes, 8, 0, 0, 0),
                        "write(2)");
                }
                assertEquals(-LinuxCalls.EPERM, LinuxCalls.truncate(probe, 0));
                assertEquals(-LinuxCalls.EPERM, LinuxCalls.raw(LinuxCalls.FCNTL, probe, LinuxCalls.F_ADD_SEALS,
                    LinuxCalls.F_SEAL_WRITE, 0, 0, 0));
                // a new open file description through /proc is no way around a seal on the memory itself
                try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(
                    Path.of("/proc/self/fd/" + probe), java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE))
                {
                    assertThrows(IOException.class,
                        () -> channel.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, 8192));
                }
                assertEquals(43, counters.buffer().getLong(8));
            }
            finally
            {
                LinuxCalls.close(probe);
            }
        }
        try (SealedMemory share = SealedMemory.create("pvnet-share", 4096))
        {
            final int copy = dup(share);
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> SealedMemory.adoptReadOnly(copy, 4096));
            assertTrue(ex.getMessage().contains("lacks seals"), ex.getMessage());
            assertFalse(isOpen(copy), "a refused descriptor is closed");
        }
    }

    @Test
    void shouldCloseEveryDescriptorOfAMessageWithMoreThanAccepted() throws IOException
    {
        final ControlSocket[] pair = ControlSocket.pair();
        try (ControlSocket a = pair[0]; ControlSocket b = pair[1];
            SealedMemory one = SealedMemory.create("one", 4096); SealedMemory two = SealedMemory.create("two", 4096))
        {
            final long before = openFds();
            a.send(new byte[] {1}, one.fd(), two.fd());
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> b.receive(1));
            assertTrue(ex.getMessage().contains("2 descriptors"), ex.getMessage());
            assertEquals(before, openFds(), "no descriptor leaked");
            a.send(new byte[] {2});
            assertEquals(2, b.receive(0).data()[0], "the connection stays usable");
            a.close();
            assertNull(b.receive(0), "end of stream");
        }
    }

    @Test
    void shouldRefuseToReplaceALiveListenerOrAFileButReplaceAStaleSocket() throws IOException
    {
        final Path path = dir.resolve("s.sock");
        try (ControlSocket live = ControlSocket.listen(path, false))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> ControlSocket.listen(path, false));
            assertTrue(ex.getMessage().contains("in use"), ex.getMessage());
        }
        final Path file = Files.writeString(dir.resolve("file.sock"), "not a socket");
        final IllegalStateException notSocket = assertThrows(IllegalStateException.class,
            () -> ControlSocket.listen(file, false));
        assertTrue(notSocket.getMessage().contains("not a socket"), notSocket.getMessage());
        assertEquals("not a socket", Files.readString(file));

        final ControlSocket stale = ControlSocket.listen(path, false);
        LinuxCalls.close(stale.fd()); // as if its process died: the path stays, nobody listens
        try (ControlSocket replaced = ControlSocket.listen(path, true))
        {
            assertEquals("rw-rw-rw-", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(path)));
        }
    }

    private static int dup(final SealedMemory memory)
    {
        return (int)LinuxCalls.check("fcntl(F_DUPFD_CLOEXEC)", LinuxCalls.FCNTL, memory.fd(), 1030, 0);
    }

    private static boolean isOpen(final int fd)
    {
        return Files.exists(Path.of("/proc/self/fd/" + fd));
    }

    private static long openFds() throws IOException
    {
        try (var list = Files.list(Path.of("/proc/self/fd")))
        {
            return list.count();
        }
    }

    /** C strings for raw calls in tests; the memory lives as long as the test JVM. */
    private static final class Arenas
    {
        static long cString(final String text)
        {
            return java.lang.foreign.Arena.global().allocateFrom(text).address();
        }
    }
}

package io.pvnet.ring.share;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A sealed memfd handed to another process over a control socket: the other process can write it but not pull it
 * away, and its death (kill -9) is seen at once through the socket (issue 13 items 2-3).
 */
class ControlSocketCrossProcessTest
{
    @TempDir
    Path dir;

    @Test
    void shouldSurviveAPeerThatTriesToTruncateAndSeeItsDeathAtOnce() throws Exception
    {
        final Path path = dir.resolve("control.sock");
        final long length = 1 << 20;
        try (ControlSocket listener = ControlSocket.listen(path, false);
            SealedMemory memory = SealedMemory.create("pvnet-test-share", length))
        {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(path)));
            final Process child = startChild(path);
            try (ControlSocket connection = listener.accept())
            {
                final PeerCredentials peer = connection.peer();
                assertEquals(child.pid(), peer.pid());
                assertEquals(io.pvnet.ring.region.HostFile.effectiveUid(), peer.uid());
                connection.send(Long.toString(length).getBytes(StandardCharsets.US_ASCII), memory.fd());
                final BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
                final String report = lines.readLine();
                assertEquals("shrink=-" + LinuxCalls.EPERM + " grow=-" + LinuxCalls.EPERM + " cloexec=true", report);
                assertEquals(0xCAFEL, memory.buffer().getLongVolatile(0), "the peer writes the shared memory");
                memory.buffer().getLong((int)length - 8); // still mapped in full: no SIGBUS
                assertEquals(length, LinuxCalls.size(memory.fd()));

                final long killedNs = System.nanoTime();
                child.destroyForcibly(); // SIGKILL
                assertNull(connection.receive(0), "end of stream when the peer dies");
                final long detectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
                System.out.println("control socket: peer kill -9 seen after " + detectMs + " ms");
                assertTrue(detectMs < 1_000, "death seen at once: " + detectMs + " ms");
                memory.buffer().putLong((int)length - 8, 1); // the memory stays usable after the peer is gone
            }
            finally
            {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertFalse(Files.exists(path), "the listener removes its socket");
    }

    private static Process startChild(final Path socket) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-agentlib:jdwp") && !argument.startsWith("-javaagent"))
            {
                command.add(argument);
            }
        }
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            SealedShareChild.class.getName(), socket.toString()));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}

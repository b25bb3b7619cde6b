package io.pvnet.ring.region;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class ProcessStartTest
{
    /** "dämon" as the kernel writes it into comm: the raw UTF-8 bytes of the executable's name. */
    private static final byte[] DAEMON = {'d', (byte)0xC3, (byte)0xA4, 'm', 'o', 'n'};

    @TempDir
    Path dir;

    @Test
    void shouldTellALiveProcessFromAnotherWithItsPidByStartTimeEvenWhenItsNameHoldsParenthesesAndSpaces() throws Exception
    {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "no /proc here");
        // comm "x) 1 2 (y": a reader splitting the stat line at spaces from its start reads the wrong fields
        final Path sleep = Path.of("/bin/sleep").toRealPath();
        final Path oddName = Files.createSymbolicLink(dir.resolve("x) 1 2 (y"), sleep);
        final Process child = new ProcessBuilder(oddName.toString(), "30").start();
        try
        {
            assertArrayEquals("x) 1 2 (y".getBytes(StandardCharsets.US_ASCII), awaitComm(child, 9), "the name read");
            final long self = ProcessStart.self();
            final long start = ProcessStart.read(child.pid());
            assertTrue(self > 0, "this process's start time: " + self);
            assertEquals(self, ProcessStart.read(ProcessHandle.current().pid()), "/proc/self is this process");
            assertTrue(start >= self, "the child started after this JVM: " + start + " < " + self);
            // clock ticks (USER_HZ, 100 a second) since boot: with the boot time, the start instant Java reports
            final long bootSeconds = Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.startsWith("btime "))
                .mapToLong(l -> Long.parseLong(l.substring(6).trim())).findFirst().orElseThrow();
            final long startMs = child.info().startInstant().orElseThrow().toEpochMilli();
            assertTrue(Math.abs(bootSeconds * 1000 + start * 10 - startMs) < 2_000,
                "starttime, not another field: " + start + " ticks, started at " + startMs);
            assertEquals(start, ProcessStart.read(child.pid()), "the kernel's integer: the same on every read");

            assertTrue(ProcessStart.alive(child.pid(), start));
            assertTrue(ProcessStart.alive(child.pid(), ProcessStart.UNKNOWN));
            assertFalse(ProcessStart.alive(child.pid(), start + 1), "its pid with another start time: another process");
        }
        finally
        {
            assertTrue(child.destroyForcibly().waitFor(10, TimeUnit.SECONDS), "the child ended");
        }
        assertEquals(-1, ProcessStart.read(child.pid()), "gone once reaped");
        assertFalse(ProcessStart.alive(child.pid(), ProcessStart.UNKNOWN));
        assertFalse(ProcessStart.alive(0, ProcessStart.UNKNOWN));
        assertFalse(ProcessStart.alive(RegionDescriptor.SECTION_PID_MASK, ProcessStart.UNKNOWN), "above any pid_max");
    }

    @Test
    void shouldReadTheStartTimeOfAProcessWhoseNameIsNotAscii() throws Exception
    {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "no /proc here");
        // made by the shell from octal escapes, so the name's bytes do not depend on this JVM's file name encoding
        final Process child = new ProcessBuilder("sh", "-c",
            "n=$(printf 'd\\303\\244mon'); ln -s \"$0\" \"$n\" && exec \"./$n\" 30", Path.of("/bin/sleep").toRealPath().toString())
            .directory(dir.toFile()).redirectErrorStream(true).start();
        try
        {
            assertArrayEquals(DAEMON, awaitComm(child, DAEMON.length), "the name read");
            final long start = ProcessStart.read(child.pid());
            assertTrue(start >= ProcessStart.self(), "a start time, not UNKNOWN: " + start);
            assertTrue(ProcessStart.alive(child.pid(), start));
            assertFalse(ProcessStart.alive(child.pid(), start + 1), "its pid with another start time: another process");
        }
        finally
        {
            assertTrue(child.destroyForcibly().waitFor(10, TimeUnit.SECONDS), "the child ended");
        }
    }

    @Test
    void shouldTakeAZombieForDeadAndItsCreatorForGone() throws Exception
    {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "no /proc here");
        // "sleep 0" exits under a parent (the exec'd "sleep 30") that never reaps it: a zombie
        final Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & exec sleep 30").redirectErrorStream(true).start();
        try
        {
            final long zombie = awaitZombieChild(parent);
            assertEquals(-1, ProcessStart.read(zombie), "a zombie of one thread");
            assertFalse(ProcessStart.alive(zombie, ProcessStart.UNKNOWN));
            assertNotNull(RegionFiles.creatorGone(zombie, 0), "a region whose creator is a zombie is stale");
            assertNull(RegionFiles.creatorGone(parent.pid(), 0), "a region whose creator runs is not");
        }
        finally
        {
            assertTrue(parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS), "the parent ended");
        }
    }

    @Test
    void shouldTakeAZombieLeaderWithLiveThreadsForAliveAndReadNamesAsBytes() throws IOException
    {
        // a stand-in /proc/PID: the kernel shows Z for a thread-group leader whose main thread called pthread_exit
        // while its other threads run, and no portable way makes one from Java
        final Path process = Files.createDirectories(dir.resolve("4242"));
        Files.createDirectories(process.resolve("task/4242"));
        stat(process, DAEMON, "Z");
        assertEquals(-1, ProcessStart.read(process), "a zombie whose only thread is gone");

        Files.createDirectories(process.resolve("task/4243"));
        assertEquals(1234567, ProcessStart.read(process), "a zombie leader with a live thread");
        stat(process, DAEMON, "S");
        assertEquals(1234567, ProcessStart.read(process));
        stat(process, DAEMON, "X");
        assertEquals(-1, ProcessStart.read(process), "dead");

        // comm may hold any byte but NUL, also ')' and bytes that are no character in any charset
        stat(process, new byte[] {(byte)0xFF, ')', ' ', '9', (byte)0x80, '('}, "R");
        assertEquals(1234567, ProcessStart.read(process));
        Files.write(process.resolve("stat"), "4242 (truncated) S 1 2".getBytes(StandardCharsets.US_ASCII));
        assertEquals(ProcessStart.UNKNOWN, ProcessStart.read(process), "too few fields");
        Files.delete(process.resolve("stat"));
        assertEquals(-1, ProcessStart.read(process), "no stat: no process");
    }

    /** Writes a stat line for pid 4242 named {@code comm} in {@code state}, started at tick 1234567. */
    private static void stat(final Path process, final byte[] comm, final String state) throws IOException
    {
        final String tail = ") " + state + " 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 1234567 2990080 389 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
        final byte[] head = "4242 (".getBytes(StandardCharsets.US_ASCII);
        final byte[] rest = tail.getBytes(StandardCharsets.US_ASCII);
        final byte[] line = Arrays.copyOf(head, head.length + comm.length + rest.length);
        System.arraycopy(comm, 0, line, head.length, comm.length);
        System.arraycopy(rest, 0, line, head.length + comm.length, rest.length);
        Files.write(process.resolve("stat"), line);
    }

    /**
     * {@return the child's comm (without its newline) once it has {@code length} bytes: the name it runs under after
     * its exec}
     */
    private static byte[] awaitComm(final Process child, final int length) throws Exception
    {
        final Path comm = Path.of("/proc/" + child.pid() + "/comm");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        byte[] name = new byte[0];
        while (System.nanoTime() - deadline < 0)
        {
            final byte[] read = Files.readAllBytes(comm);
            name = Arrays.copyOf(read, Math.max(0, read.length - 1));
            if (name.length == length)
            {
                return name;
            }
            Thread.sleep(5);
        }
        return name;
    }

    /** {@return the pid of {@code parent}'s child once its stat line shows it a zombie} */
    private static long awaitZombieChild(final Process parent) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0)
        {
            final List<ProcessHandle> children = parent.children().toList();
            for (final ProcessHandle child : children)
            {
                final String stat = new String(Files.readAllBytes(Path.of("/proc/" + child.pid() + "/stat")),
                    StandardCharsets.ISO_8859_1);
                if (stat.substring(stat.lastIndexOf(')') + 1).trim().startsWith("Z "))
                {
                    return child.pid();
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no zombie child of pid " + parent.pid() + " within 10 s");
    }
}

package io.pvnet.ring.region;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link Region#create} never destroys a file that is not its own stale region (issue 13 item 5). */
class RegionFileSafetyTest
{
    private static final int LENGTH = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void shouldRefuseSymlinkAndLeaveItsTargetIntact() throws IOException
    {
        final Path victim = Files.writeString(dir.resolve("victim"), "precious");
        final Path link = Files.createSymbolicLink(dir.resolve("region"), victim);
        final RegionException ex = assertThrows(RegionException.class, () -> Region.create(link, LENGTH));
        assertTrue(ex.getMessage().startsWith(link.toString()) && ex.getMessage().contains("symbolic link"), ex.getMessage());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("precious", Files.readString(victim));
        assertOnlyFiles("region", "victim");
    }

    @Test
    void shouldRefuseSymlinkToRegionOfItsOwn() throws IOException
    {
        final Path dangling = Files.createSymbolicLink(dir.resolve("region"), dir.resolve("nowhere"));
        final RegionException ex = assertThrows(RegionException.class, () -> Region.create(dangling, LENGTH));
        assertTrue(ex.getMessage().contains("symbolic link"), ex.getMessage());
        assertFalse(Files.exists(dir.resolve("nowhere")), "a dangling link is not followed to create its target");
    }

    @Test
    void shouldRefuseOrdinaryFileWithoutRegionHeader() throws IOException
    {
        final Path path = Files.writeString(dir.resolve("notes.txt"), "my notes ".repeat(1000));
        final RegionException ex = assertThrows(RegionException.class, () -> Region.create(path, LENGTH));
        assertTrue(ex.getMessage().contains("not a pvnet region"), ex.getMessage());
        assertEquals("my notes ".repeat(1000), Files.readString(path));
        final Path empty = Files.createFile(dir.resolve("empty"));
        assertThrows(RegionException.class, () -> Region.create(empty, LENGTH));
        assertEquals(0, Files.size(empty));
        assertOnlyFiles("empty", "notes.txt");
    }

    @Test
    void shouldRefuseDirectory() throws IOException
    {
        final Path sub = Files.createDirectory(dir.resolve("sub"));
        Files.writeString(sub.resolve("inside"), "x");
        final RegionException ex = assertThrows(RegionException.class, () -> Region.create(sub, LENGTH));
        assertTrue(ex.getMessage().contains("is a directory"), ex.getMessage());
        assertEquals("x", Files.readString(sub.resolve("inside")));
    }

    @Test
    void shouldRefuseFifoWithoutBlocking() throws Exception
    {
        final Path fifo = dir.resolve("fifo");
        assumeTrue(run("mkfifo", fifo.toString()) == 0, "mkfifo is not available");
        final RegionException ex = assertThrows(RegionException.class, () -> Region.create(fifo, LENGTH));
        assertTrue(ex.getMessage().contains("not a regular file"), ex.getMessage());
        final RegionException open = assertThrows(RegionException.class, () -> Region.open(fifo));
        assertTrue(open.getMessage().contains("not a regular file"), open.getMessage());
        assertTrue(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(fifo), "the FIFO is left in place");
    }

    @Test
    void shouldRefuseDeviceNode() throws Exception
    {
        final Path device = dir.resolve("null-device");
        assumeTrue(run("mknod", device.toString(), "c", "1", "3") == 0, "mknod needs root (CAP_MKNOD)");
        final RegionException ex = assertThrows(RegionException.class, () -> Region.create(device, LENGTH));
        assertTrue(ex.getMessage().contains("not a regular file"), ex.getMessage());
        assertTrue(Files.exists(device, LinkOption.NOFOLLOW_LINKS), "the device node is left in place");
    }

    @Test
    void shouldRefuseLiveRegionNamingItsCreator()
    {
        final Path path = dir.resolve("live");
        try (Region live = Region.create(path, LENGTH))
        {
            live.allocateSection("keep", 64).buffer().putLong(0, 42);
            final RegionException ex = assertThrows(RegionException.class, () -> Region.create(path, LENGTH));
            assertTrue(ex.getMessage().contains("creatorPid=" + ProcessHandle.current().pid()), ex.getMessage());
            try (Region opened = Region.open(path))
            {
                assertEquals(42, opened.section("keep").buffer().getLong(0), "the live region is untouched");
            }
        }
    }

    @Test
    void shouldRefuseDirectoryOthersCanWriteWithoutStickyBit() throws IOException
    {
        final Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        final RegionException ex = assertThrows(RegionException.class, () -> Region.create(open.resolve("r"), LENGTH));
        assertTrue(ex.getMessage().contains("writable by others"), ex.getMessage());
        final RegionException missing = assertThrows(RegionException.class,
            () -> Region.create(dir.resolve("no/such/dir/r"), LENGTH));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void shouldCreateOwnerOnlyFileWithoutLeftovers() throws IOException
    {
        final Path path = dir.resolve("region");
        try (Region ignored = Region.create(path, LENGTH))
        {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            assertOnlyFiles("region");
        }
        assertOnlyFiles();
    }

    @Test
    void shouldNotRemoveAFileThatReplacedItsRegion() throws IOException
    {
        final Path path = dir.resolve("region");
        try (Region ignored = Region.create(path, LENGTH))
        {
            Files.delete(path);
            Files.writeString(path, "someone else's");
        }
        assertEquals("someone else's", Files.readString(path), "close removes only the file it created");
    }

    private void assertOnlyFiles(final String... names) throws IOException
    {
        try (var listing = Files.list(dir))
        {
            assertEquals(java.util.Set.of(names),
                listing.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }

    private static int run(final String... command) throws Exception
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
        }
        catch (final IOException notInstalled)
        {
            return -1;
        }
    }
}

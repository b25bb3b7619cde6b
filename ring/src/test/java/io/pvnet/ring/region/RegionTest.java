package io.pvnet.ring.region;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static io.pvnet.ring.region.RegionDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

class RegionTest
{
    private static final int LENGTH = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void shouldWriteDescriptorFieldsAndPublishVersion()
    {
        try (Region region = Region.createAnonymous(LENGTH))
        {
            assertEquals(MAGIC, region.buffer().getLong(MAGIC_OFFSET));
            assertEquals(LAYOUT_VERSION, region.buffer().getIntAcquire(LAYOUT_VERSION_OFFSET));
            assertEquals(LENGTH, region.buffer().getLong(TOTAL_LENGTH_OFFSET));
            assertEquals(ProcessHandle.current().pid(), region.creatorPid());
            assertEquals(headerLength(DEFAULT_SECTION_CAPACITY), region.buffer().getInt(HEADER_LENGTH_OFFSET));
            assertTrue(Math.abs(System.currentTimeMillis() - region.startTimeMs()) < 60_000);
            assertEquals("PVNETRGN", region.buffer().getStringWithoutLengthAscii(0, 8));
        }
    }

    @Test
    void shouldAllocatePageAlignedNonOverlappingSections()
    {
        try (Region region = Region.createAnonymous(LENGTH))
        {
            final RegionSection a = region.allocateSection("tx-ring", 100);
            final RegionSection b = region.allocateSection("rx-ring", PAGE_SIZE + 1);
            final RegionSection c = region.allocateSection("pool", 3 * PAGE_SIZE);
            assertEquals(headerLength(DEFAULT_SECTION_CAPACITY), a.offset());
            assertEquals(a.offset() + PAGE_SIZE, b.offset());
            assertEquals(b.offset() + 2 * PAGE_SIZE, c.offset());
            assertEquals(100, a.buffer().capacity());
            assertEquals(3 * PAGE_SIZE, c.segment().byteSize());
            assertEquals(0, a.segment().address() % PAGE_SIZE);

            c.buffer().putLong(8, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, region.buffer().getLong((int)c.offset() + 8));
            assertEquals(List.of("tx-ring", "rx-ring", "pool"), region.sections().stream().map(RegionSection::name).toList());
            assertEquals(b.offset(), region.section("rx-ring").offset());
            assertNull(region.findSection("nope"));
        }
    }

    @Test
    void shouldRejectDuplicateBadNamesAndFullRegion()
    {
        try (Region region = Region.createAnonymous(headerLength(2) + 2 * PAGE_SIZE, 2))
        {
            region.allocateSection("a", PAGE_SIZE);
            assertThrows(RegionException.class, () -> region.allocateSection("a", PAGE_SIZE));
            assertThrows(RegionException.class, () -> region.allocateSection("has space", PAGE_SIZE));
            assertThrows(RegionException.class, () -> region.allocateSection("", PAGE_SIZE));
            final RegionException noRoom = assertThrows(RegionException.class, () -> region.allocateSection("b", 2 * PAGE_SIZE));
            assertTrue(noRoom.getMessage().contains("no room"), noRoom.getMessage());
            region.allocateSection("b", PAGE_SIZE);
            final RegionException full = assertThrows(RegionException.class, () -> region.allocateSection("c", 1));
            assertTrue(full.getMessage().contains("section table full"), full.getMessage());
            assertThrows(RegionException.class, () -> region.section("c"));
        }
    }

    @Test
    void shouldOpenFileRegionAndSeeSectionsAllocatedLater() throws IOException
    {
        final Path path = dir.resolve("region");
        try (Region created = Region.create(path, LENGTH))
        {
            assertTrue(Files.exists(path));
            created.allocateSection("first", 10);
            try (Region opened = Region.open(path))
            {
                assertFalse(opened.isCreator());
                assertEquals(LENGTH, opened.lengthBytes());
                opened.section("first").buffer().putInt(0, 42);
                assertEquals(42, created.section("first").buffer().getInt(0));

                final RegionSection late = created.allocateSection("late", PAGE_SIZE);
                late.buffer().putLong(0, 7);
                assertEquals(7, opened.section("late").buffer().getLong(0));
                final RegionSection fromOpener = opened.allocateSection("from-opener", 1);
                assertTrue(fromOpener.offset() > late.offset());
                assertNotNull(created.findSection("from-opener"));
            }
        }
        assertFalse(Files.exists(path), "creator deletes the file on close");
    }

    @Test
    void shouldRejectMissingFile()
    {
        final RegionException ex = assertThrows(RegionException.class, () -> Region.open(dir.resolve("missing")));
        assertTrue(ex.getMessage().contains("missing") && ex.getMessage().contains("no such file"), ex.getMessage());
    }

    @Test
    void shouldRejectTruncatedFile() throws IOException
    {
        final Path path = dir.resolve("region");
        final Path copy = dir.resolve("truncated");
        try (Region ignored = Region.create(path, LENGTH))
        {
            Files.copy(path, copy);
        }
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE))
        {
            channel.truncate(PAGE_SIZE);
        }
        final RegionException ex = assertThrows(RegionException.class, () -> Region.open(copy));
        assertTrue(ex.getMessage().startsWith(copy.toString()) && ex.getMessage().contains("truncated"), ex.getMessage());

        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE))
        {
            channel.truncate(100);
        }
        final RegionException tiny = assertThrows(RegionException.class, () -> Region.open(copy));
        assertTrue(tiny.getMessage().contains("truncated"), tiny.getMessage());

        final Path empty = Files.createFile(dir.resolve("empty"));
        final RegionException zero = assertThrows(RegionException.class, () -> Region.open(empty));
        assertTrue(zero.getMessage().contains("truncated"), zero.getMessage());
    }

    @Test
    void shouldRejectFileThatIsNotARegion() throws IOException
    {
        final Path path = dir.resolve("text");
        Files.writeString(path, "hello world, this is not a region ".repeat(200));
        final RegionException ex = assertThrows(RegionException.class, () -> Region.open(path));
        assertTrue(ex.getMessage().contains("not a pvnet region") && ex.getMessage().contains("magic"), ex.getMessage());
    }

    @Test
    void shouldRejectOtherVersionAndCorruptFields() throws IOException
    {
        final Path copy = copyOfRegion("newer");
        patchInt(copy, LAYOUT_VERSION_OFFSET, LAYOUT_VERSION + 1);
        final RegionException ex = assertThrows(RegionException.class, () -> Region.open(copy));
        assertTrue(ex.getMessage().contains("other layout version") && ex.getMessage().contains("version="
            + (LAYOUT_VERSION + 1)), ex.getMessage());

        final Path corrupt = copyOfRegion("corrupt");
        patchInt(corrupt, SECTION_CAPACITY_OFFSET, 0);
        final RegionException bad = assertThrows(RegionException.class, () -> Region.open(corrupt));
        assertTrue(bad.getMessage().contains("sectionCapacity=0"), bad.getMessage());
    }

    @Test
    void shouldRefuseAnOlderVersionRegionWithOneLineAndLeaveItAsItWas() throws IOException
    {
        // version 1 allocated sections without the claim protocol of version 2, whose 64-byte entries had no claim
        // time or claimer start time: allocating in either would collide with its allocators
        for (final int older : new int[] {1, 2})
        {
            final Path old = copyOfRegion("v" + older);
            patchInt(old, LAYOUT_VERSION_OFFSET, older);
            final byte[] before = Files.readAllBytes(old);
            final RegionException ex = assertThrows(RegionException.class, () -> Region.open(old));
            assertEquals(old + ": other layout version: version=" + older + ", this code reads version=3", ex.getMessage());
            assertFalse(ex.getMessage().contains("\n"));
            assertArrayEquals(before, Files.readAllBytes(old), "the refused file is left as it was");
        }
    }

    @Test
    void shouldRejectRegionNeverMadeReady() throws IOException
    {
        final Path copy = copyOfRegion("unready");
        patchInt(copy, LAYOUT_VERSION_OFFSET, 0);
        final RegionException ex = assertThrows(RegionException.class, () -> Region.open(copy));
        assertTrue(ex.getMessage().contains("not ready"), ex.getMessage());
    }

    @Test
    void shouldRejectRegionWhoseCreatorIsGone() throws IOException, InterruptedException
    {
        final Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-version")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        final long deadPid = child.pid();
        child.waitFor();
        final Path copy = copyOfRegion("orphan");
        patchLong(copy, CREATOR_PID_OFFSET, deadPid);
        final RegionException ex = assertThrows(RegionException.class, () -> Region.open(copy));
        assertTrue(ex.getMessage().contains("creator gone") && ex.getMessage().contains("creatorPid=" + deadPid), ex.getMessage());

        final Path reused = copyOfRegion("reused");
        patchLong(reused, CREATOR_START_TIME_OFFSET, 1_000_000L); // our pid, but a creator that started in 1970
        final RegionException pidReuse = assertThrows(RegionException.class, () -> Region.open(reused));
        assertTrue(pidReuse.getMessage().contains("creator gone"), pidReuse.getMessage());
    }

    @Test
    void shouldRejectStaleHeartbeatWhenAsked()
    {
        final Path path = dir.resolve("heartbeat");
        try (Region created = Region.create(path, LENGTH))
        {
            created.updateHeartbeat(System.currentTimeMillis() - 60_000);
            final RegionException ex = assertThrows(RegionException.class, () -> Region.open(path, 5_000));
            assertTrue(ex.getMessage().contains("stale heartbeat"), ex.getMessage());
            created.updateHeartbeat(System.currentTimeMillis());
            try (Region opened = Region.open(path, 5_000))
            {
                assertEquals(created.heartbeatMs(), opened.heartbeatMs());
            }
        }
    }

    @Test
    void shouldRejectCorruptSectionEntry()
    {
        try (Region region = Region.createAnonymous(LENGTH))
        {
            region.allocateSection("s", PAGE_SIZE);
            region.buffer().putLong(sectionEntryOffset(0) + SECTION_LENGTH_OFFSET, 1L << 40);
            final RegionException ex = assertThrows(RegionException.class, () -> region.section("s"));
            assertTrue(ex.getMessage().contains("corrupt section table"), ex.getMessage());
        }
    }

    @Test
    void shouldRejectBadCreateArguments()
    {
        assertThrows(RegionException.class, () -> Region.createAnonymous(100));
        assertThrows(RegionException.class, () -> Region.createAnonymous(LENGTH, 0));
        assertThrows(RegionException.class, () -> Region.createAnonymous(RegionDescriptor.MAX_TOTAL_LENGTH + RegionDescriptor.PAGE_SIZE));
    }

    @Test
    void shouldRecordWhatTheCreatorIsForReadersToNameIt() throws IOException
    {
        final Path path = dir.resolve("role");
        try (Region created = Region.create(path, LENGTH, 4, "vif-run"); Region opened = Region.open(path))
        {
            assertEquals("vif-run", created.creatorRole());
            assertEquals("vif-run", opened.creatorRole());
        }
        // a region made without a role, as every region before the field (its bytes were reserved, zero): none
        final Path old = copyOfRegion("no-role");
        try (Region opened = Region.open(old))
        {
            assertEquals("", opened.creatorRole());
        }
        patchLong(old, CREATOR_ROLE_OFFSET, 0x0A_1B_2C_3D_4E_5F_60_7FL); // bytes that are no role
        try (Region opened = Region.open(old))
        {
            assertEquals("", opened.creatorRole());
        }
        final RegionException bad = assertThrows(RegionException.class,
            () -> Region.create(dir.resolve("bad-role"), LENGTH, 4, "Switch 1"));
        assertTrue(bad.getMessage().contains("bad role=Switch 1"), bad.getMessage());
        assertFalse(Files.exists(dir.resolve("bad-role")), "nothing created");
    }

    @Test
    void shouldReadTheCreatorsRoleFromTheFileOnlyWhenItIsAPublishedRegionOfThatCreator() throws Exception
    {
        final Path path = dir.resolve("served");
        final long self = ProcessHandle.current().pid();
        try (Region ignored = Region.create(path, LENGTH, 4, "vif-run"))
        {
            assertEquals("vif-run", Region.readCreatorRole(path, self));
            assertEquals("", Region.readCreatorRole(path, self + 1), "another process serves it");
            final Path copy = dir.resolve("unpublished");
            Files.copy(path, copy);
            patchInt(copy, LAYOUT_VERSION_OFFSET, 0);
            assertEquals("", Region.readCreatorRole(copy, self), "not published yet");
            patchInt(copy, LAYOUT_VERSION_OFFSET, LAYOUT_VERSION + 1);
            assertEquals("", Region.readCreatorRole(copy, self), "another layout");
            // a link swapped in at the path is not followed, even to the real region
            final Path link = Files.createSymbolicLink(dir.resolve("link"), path);
            assertEquals("", Region.readCreatorRole(link, self), "a symbolic link");
        }
        final Path shortFile = Files.write(dir.resolve("short"),
            "PVNETRGN".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("", Region.readCreatorRole(shortFile, self));
        assertEquals("", Region.readCreatorRole(dir.resolve("missing"), self));
        assertEquals("", Region.readCreatorRole(dir, self), "a directory");
        assertEquals("", Region.readCreatorRole(copyOfRegion("no-role"), self), "no role recorded");
        // a FIFO swapped in at the path: an open without O_NONBLOCK would wait for a writer forever
        final Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor(), "mkfifo");
        assertEquals("", assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
            () -> Region.readCreatorRole(fifo, self)), "a FIFO");
    }

    @Test
    void shouldRecordTheCreatorsRoleInMemoryItFormats()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment memory = arena.allocate(16 * PAGE_SIZE, PAGE_SIZE);
            assertEquals("bench", Region.openIn(Region.createIn(memory, 4, "bench").segment()).creatorRole());
            assertEquals("", Region.openIn(Region.createIn(memory, 4).segment()).creatorRole());
            assertTrue(assertThrows(RegionException.class, () -> Region.createIn(memory, 4, "Bench"))
                .getMessage().contains("bad role=Bench"));
        }
    }

    @Test
    void shouldShowAControlCharacterInACorruptSectionNameAsAQuestionMark() throws IOException
    {
        final Path path = dir.resolve("names");
        try (Region created = Region.create(path, LENGTH, 4); Region opened = Region.open(path))
        {
            created.allocateSection("counters", 1);
            // ESC [ 2 J: a terminal printing the name in a message would clear its screen
            created.buffer().putBytes(sectionEntryOffset(0) + SECTION_NAME_OFFSET, new byte[] {0x1B, '[', '2', 'J'});
            assertEquals("?[2Jters", opened.sections().get(0).name());
            final RegionException missing = assertThrows(RegionException.class, () -> opened.section("store"));
            assertTrue(missing.getMessage().contains("sections: [?[2Jters]"), missing.getMessage());
        }
    }

    private Path copyOfRegion(final String name) throws IOException
    {
        final Path path = dir.resolve(name + "-source");
        final Path copy = dir.resolve(name);
        try (Region ignored = Region.create(path, LENGTH))
        {
            Files.copy(path, copy);
        }
        return copy;
    }

    private static void patchInt(final Path path, final int offset, final int value) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw"))
        {
            file.getChannel().write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value), offset);
        }
    }

    private static void patchLong(final Path path, final int offset, final long value) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw"))
        {
            file.getChannel().write(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value), offset);
        }
    }

    @Test
    void shouldFailWithRegionExceptionOnAnyCorruptedDescriptorByte() throws IOException
    {
        final Path source = dir.resolve("fuzz-source");
        final byte[] original;
        try (Region region = Region.create(source, 64 * PAGE_SIZE, 4))
        {
            region.allocateSection("a", PAGE_SIZE);
            original = Files.readAllBytes(source);
        }
        final java.util.Random random = new java.util.Random(7);
        final Path copy = dir.resolve("fuzz");
        int rejected = 0;
        for (int round = 0; round < 300; round++)
        {
            final byte[] bytes = original.clone();
            final int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++)
            {
                // the descriptor and the entry's fields a published section is read by (its claim fields are not:
                // below)
                bytes[random.nextInt(SECTION_TABLE_OFFSET + SECTION_CLAIMER_START_OFFSET)] ^= (byte)(1 << random.nextInt(8));
            }
            Files.write(copy, bytes);
            try (Region opened = Region.open(copy))
            {
                opened.creatorRole(); // a role, or "" for bytes that are none: never an exception
                opened.findSection("a"); // may be found, missing, or a RegionException for a corrupt entry
            }
            catch (final RegionException expected)
            {
                assertTrue(expected.getMessage().startsWith(copy.toString()), expected.getMessage());
                rejected++;
            }
        }
        assertTrue(rejected > 100, "most corruptions are caught: " + rejected);

        // a published entry's claimer start time and claim time are history: any bytes there change nothing
        for (int round = 0; round < 20; round++)
        {
            final byte[] bytes = original.clone();
            for (int i = SECTION_CLAIMER_START_OFFSET; i < SECTION_ENTRY_LENGTH; i++)
            {
                bytes[SECTION_TABLE_OFFSET + i] = (byte)random.nextInt();
            }
            Files.write(copy, bytes);
            try (Region opened = Region.open(copy))
            {
                assertEquals(PAGE_SIZE, opened.section("a").lengthBytes());
            }
        }
    }

    @Test
    void shouldRefuseToReplaceLiveRegionButReplaceStaleRegion() throws IOException
    {
        final Path path = dir.resolve("live");
        try (Region ignored = Region.create(path, LENGTH))
        {
            final RegionException ex = assertThrows(RegionException.class, () -> Region.create(path, LENGTH));
            assertTrue(ex.getMessage().contains("in use") &&
                ex.getMessage().contains("creatorPid=" + ProcessHandle.current().pid()), ex.getMessage());
        }
        final Path stale = copyOfRegion("stale");
        patchLong(stale, CREATOR_START_TIME_OFFSET, 1_000_000L); // our pid, but a creator that started in 1970
        try (Region replaced = Region.create(stale, LENGTH))
        {
            assertEquals(LENGTH, Files.size(stale));
            assertTrue(replaced.isCreator());
        }
        assertFalse(Files.exists(stale), "the replacement was ours, so close removes it");
    }
}

package io.pvnet.ring.region;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.pvnet.ring.region.RegionDescriptor.*;

/**
 * Off-heap memory shared by the host side and its guests: a memory-mapped file (by default under {@code /dev/shm}) or
 * anonymous memory for use inside one process. The layout is in {@link RegionDescriptor}: a descriptor at offset 0,
 * a table of named page-aligned {@link RegionSection}s, then the sections.
 * <p>
 * <b>Mapping.</b> Files are mapped with
 * {@link java.nio.channels.FileChannel#map(java.nio.channels.FileChannel.MapMode, long, long, Arena)} into a shared
 * {@link Arena}, so {@link #close()} unmaps deterministically; anonymous regions are page-aligned, zeroed
 * {@link Arena#allocate} memory. Every view ({@link #buffer()}, {@link RegionSection#buffer()}) is an Agrona
 * {@link UnsafeBuffer} over the raw address; it must not be used after {@link #close()}.
 * <p>
 * <b>Lifecycle.</b> {@link #create} writes the descriptor into a temporary file ({@link HostFile}: exclusive create,
 * unpredictable name, no links followed), publishes it with a release store of the layout version and moves it into
 * place, so {@link #open} never sees a half-written region and no file that is not a stale region is ever replaced.
 * {@link #open} validates magic, version, lengths and the creator's liveness, and fails with a {@link RegionException}
 * naming the file and the problem. The creator calls {@link #updateHeartbeat(long)} from its duty cycle.
 * <p>
 * <b>Threads.</b> {@link #allocateSection} and {@link #findSection} may be called from any thread of any process that
 * has the region mapped (allocation claims a table entry and its pages with CASes on shared memory; a name is
 * never given twice); they are configuration-time calls and allocate.
 * {@link #close()} must be called once, after every user of the region's buffers has stopped.
 * <p>
 * This class is the mapped region: its factories, sections, descriptor fields, heartbeat and close. Creating and
 * opening a region file, with the checks an opener makes, are {@link RegionFiles}'; the section table is
 * {@link SectionTable}'s.
 */
public final class Region implements AutoCloseable
{
    /** Directory of regions created by name: {@code /dev/shm} where it exists, else {@code java.io.tmpdir}. */
    public static final Path DEFAULT_DIRECTORY = Files.isDirectory(Path.of("/dev/shm"))
        ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));

    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final UnsafeBuffer buffer;
    private final boolean creator;
    private final HostFile file;
    private final SectionTable table;
    private boolean closed;

    /**
     * A view of a mapped region; the factories here and in {@link RegionFiles} format or check it.
     * @param arena owns the mapping, closed by {@link #close()}; null for memory this region does not own.
     * @param file  the file created here, deleted by {@link #close()} if still its own; null for an opened one.
     */
    Region(
        final Path path, final Arena arena, final MemorySegment segment, final boolean creator, final HostFile file)
    {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        // Agrona buffers index with int: this one covers the descriptor and the first 2 GiB; each section has its own
        this.buffer = new UnsafeBuffer(segment.address(), (int)Math.min(segment.byteSize(), Integer.MAX_VALUE));
        this.creator = creator;
        this.file = file;
        this.table = new SectionTable(path, buffer, segment, SystemEpochClock.INSTANCE);
    }

    /**
     * {@return {@code DEFAULT_DIRECTORY/pvnet-NAME}, where regions are created by name}
     * @param name the region's name.
     */
    public static Path defaultPath(final String name)
    {
        return DEFAULT_DIRECTORY.resolve("pvnet-" + name);
    }

    /**
     * Creates a region in anonymous memory, for use inside this process.
     *
     * @param lengthBytes total length including the descriptor; rounded up to whole pages.
     * @return the region, owned by the caller: {@link #close()} frees the memory.
     */
    public static Region createAnonymous(final long lengthBytes)
    {
        return createAnonymous(lengthBytes, DEFAULT_SECTION_CAPACITY);
    }

    /**
     * As {@link #createAnonymous(long)} with a section table of {@code sectionCapacity} entries.
     * @param lengthBytes total length including the descriptor; rounded up to whole pages.
     * @param sectionCapacity entries in the section table.
     * @return the region, owned by the caller: {@link #close()} frees the memory.
     */
    public static Region createAnonymous(final long lengthBytes, final int sectionCapacity)
    {
        JvmFlags.check();
        final long totalLength = checkCreateArguments(null, lengthBytes, sectionCapacity);
        final Arena arena = Arena.ofShared();
        final MemorySegment segment = arena.allocate(totalLength, PAGE_SIZE);
        final Region region = new Region(null, arena, segment, true, null);
        region.initialise(totalLength, sectionCapacity);
        return region;
    }

    /**
     * Formats memory this region does not own (for example a {@code SealedMemory} shared with one guest) as a region:
     * descriptor and a section table of {@code sectionCapacity} entries. {@link #close()} leaves the memory mapped;
     * its owner unmaps it.
     *
     * @param memory page-aligned, whole pages.
     * @param sectionCapacity entries in the section table.
     * @return the region; {@link #close()} leaves {@code memory} mapped.
     */
    public static Region createIn(final MemorySegment memory, final int sectionCapacity)
    {
        return createIn(memory, sectionCapacity, "");
    }

    /**
     * As {@link #createIn(MemorySegment, int)}, recording what the creating process is, so that the process the memory
     * is shared with can name it ({@link #creatorRole()}): a guest names the host that handed it its share.
     *
     * @param memory page-aligned, whole pages.
     * @param sectionCapacity entries in the section table.
     * @param role what the creator is: 1..{@value RegionDescriptor#CREATOR_ROLE_LENGTH} of {@code a-z 0-9 -}, or ""
     *             for none.
     * @return the region; {@link #close()} leaves {@code memory} mapped.
     */
    public static Region createIn(final MemorySegment memory, final int sectionCapacity, final String role)
    {
        checkRole(null, role);
        final long totalLength = checkCreateArguments(null, memory.byteSize(), sectionCapacity);
        if (totalLength != memory.byteSize() || (memory.address() & (PAGE_SIZE - 1)) != 0)
        {
            throw new RegionException(null, "memory must be page-aligned whole pages: length=" + memory.byteSize());
        }
        final Region region = new Region(null, null, memory, true, null);
        region.putCreatorRole(role);
        region.initialise(totalLength, sectionCapacity);
        return region;
    }

    /**
     * Opens a region another process formatted with {@link #createIn} in memory shared with this one. The descriptor
     * is validated as {@link #open(Path)} does, without the creator checks (the memory came from a live peer).
     * {@link #close()} leaves the memory mapped.
     *
     * @param memory the shared memory, as mapped in this process.
     * @return the region; {@link #close()} leaves {@code memory} mapped.
     * @throws RegionException naming the problem.
     */
    public static Region openIn(final MemorySegment memory)
    {
        final Region region = new Region(null, null, memory, false, null);
        checkDescriptor(region.buffer, memory.byteSize(), null);
        return region;
    }

    /**
     * Creates a region backed by the file {@code path} with {@link HostFile}'s guarantees: written under an
     * unpredictable temporary name ({@code O_EXCL}, no links followed, mode 0600) and published only when ready; an
     * existing file is replaced only when it is this user's stale pvnet region (creator gone). A symbolic link, a
     * directory, a device node, another user's file, a file that is not a region, or a live region (its creator pid
     * named) is refused. {@link #close()} deletes the file only if {@code path} still names the file created here.
     *
     * @param lengthBytes total length including the descriptor; rounded up to whole pages.
     * @param path the region file; {@link #defaultPath(String)} gives the usual place.
     * @return the region, owned by the caller (its creator).
     * @throws RegionException naming {@code path} and why it cannot be created or replaced.
     */
    public static Region create(final Path path, final long lengthBytes)
    {
        return create(path, lengthBytes, DEFAULT_SECTION_CAPACITY);
    }

    /**
     * As {@link #create(Path, long)} with a section table of {@code sectionCapacity} entries.
     * @param path the region file; {@link #defaultPath(String)} gives the usual place.
     * @param lengthBytes total length including the descriptor; rounded up to whole pages.
     * @param sectionCapacity entries in the section table.
     * @return the region, owned by the caller (its creator).
     */
    public static Region create(final Path path, final long lengthBytes, final int sectionCapacity)
    {
        return create(path, lengthBytes, sectionCapacity, "");
    }

    /**
     * As {@link #create(Path, long, int)}, recording what the creating process is, so that a tool reading the region
     * ({@code pvnet stat}) can name it ({@link #creatorRole()}).
     * @param path the region file; {@link #defaultPath(String)} gives the usual place.
     * @param lengthBytes total length including the descriptor; rounded up to whole pages.
     * @param sectionCapacity entries in the section table.
     * @param role what the creator is: 1..{@value RegionDescriptor#CREATOR_ROLE_LENGTH} of {@code a-z 0-9 -}, or ""
     *             for none.
     * @return the region, owned by the caller (its creator).
     */
    public static Region create(final Path path, final long lengthBytes, final int sectionCapacity, final String role)
    {
        return RegionFiles.create(path, lengthBytes, sectionCapacity, role);
    }

    /**
     * Opens a region another process created, checking that its creator is still alive but not its heartbeat.
     *
     * @param path the region file.
     * @return the region mapped into this process; {@link #close()} unmaps it and leaves the file.
     * @throws RegionException naming the file and the problem: missing, truncated, not a region, another layout
     *                         version, corrupt descriptor, creator gone.
     */
    public static Region open(final Path path)
    {
        return open(path, Long.MAX_VALUE);
    }

    /**
     * Opens a region another process created, also checking that its heartbeat is no older than
     * {@code heartbeatTimeoutMs}.
     *
     * @param path the region file.
     * @param heartbeatTimeoutMs the oldest acceptable heartbeat, in milliseconds before now.
     * @return the region mapped into this process; {@link #close()} unmaps it and leaves the file.
     * @throws RegionException as {@link #open(Path)}, and for a stale heartbeat.
     */
    public static Region open(final Path path, final long heartbeatTimeoutMs)
    {
        return RegionFiles.open(path, heartbeatTimeoutMs);
    }

    /**
     * Reads what the creator of the region file at {@code path} said it is from the file's descriptor, without mapping
     * the file or opening it for writing: for a tool that only wants the name of the process serving the region's
     * socket. The open follows no symbolic link at the last component and does not block on a FIFO, and only a regular
     * file is read ({@link io.pvnet.ring.share.LinuxCalls#readRegularFile}), whatever is swapped in at {@code path}.
     *
     * @param path       the region file.
     * @param creatorPid the pid the region's creator must have: the process serving the region's socket.
     * @return the role, as {@link #creatorRole()} reads it; "" when the file cannot be read (missing, a link, not a
     *         regular file, no permission), is not a published region of this layout version, was created by another
     *         process than {@code creatorPid}, or holds no role.
     */
    public static String readCreatorRole(final Path path, final long creatorPid)
    {
        return RegionFiles.readCreatorRole(path, creatorPid);
    }

    /**
     * Appends a section of {@code lengthBytes} (rounded up to whole pages in the region) and publishes its table entry.
     * Callable while the region is in use, from any process that maps it.
     *
     * @param name        1 to {@value RegionDescriptor#MAX_SECTION_NAME_LENGTH} US-ASCII characters, unique in the region.
     * @param lengthBytes at least 1.
     * @return the new section, zero-filled.
     * @throws RegionException when the name is taken or invalid (also when another thread or process allocates the
     *                         same name at the same time: exactly one of them succeeds), the table is full or the
     *                         region has no room.
     */
    public RegionSection allocateSection(final String name, final int lengthBytes)
    {
        checkOpen();
        return table.allocate(name, lengthBytes);
    }

    /**
     * {@return the published section named {@code name}, or null when there is none (yet)}
     * @param name the section's name.
     * @throws RegionException when the matching table entry points outside the region (a corrupt table).
     */
    public RegionSection findSection(final String name)
    {
        checkOpen();
        return table.find(name);
    }

    /**
     * {@return the published section named {@code name}}
     * @param name the section's name.
     * @throws RegionException naming the region and the section when there is none.
     */
    public RegionSection section(final String name)
    {
        final RegionSection section = findSection(name);
        if (section == null)
        {
            final int allocating = table.allocatingPid(name);
            throw new RegionException(path, "no section named " + name + (allocating >= 0 ? " (being allocated by pid "
                + allocating + ")" : "") + "; sections: " + sectionNames());
        }
        return section;
    }

    /** {@return every published section, in allocation order} */
    public List<RegionSection> sections()
    {
        checkOpen();
        return table.sections();
    }

    /**
     * Stores the heartbeat (epoch ms) with release semantics; called by the creator from its duty cycle.
     * @param nowMs the current time in epoch milliseconds.
     */
    public void updateHeartbeat(final long nowMs)
    {
        buffer.putLongRelease(HEARTBEAT_OFFSET, nowMs);
    }

    /** {@return the last heartbeat, epoch ms} */
    public long heartbeatMs()
    {
        return buffer.getLongAcquire(HEARTBEAT_OFFSET);
    }

    /** {@return the pid of the process that created the region} */
    public long creatorPid()
    {
        return buffer.getLong(CREATOR_PID_OFFSET);
    }

    /**
     * {@return what the creating process said it is ({@code switch}, {@code vif-run}), or "" when it said nothing (a
     * region made before the field, or without a role) or the field holds anything but a role}
     */
    public String creatorRole()
    {
        return creatorRole(buffer);
    }

    /** Writes {@code role} (already checked) zero-padded into the creator-role field, whatever was there before. */
    void putCreatorRole(final String role)
    {
        buffer.setMemory(CREATOR_ROLE_OFFSET, CREATOR_ROLE_LENGTH, (byte)0);
        buffer.putStringWithoutLengthAscii(CREATOR_ROLE_OFFSET, role);
    }

    /** {@return the role in the descriptor in {@code buffer}, as {@link #creatorRole()}} */
    static String creatorRole(final DirectBuffer buffer)
    {
        int length = 0;
        while (length < CREATOR_ROLE_LENGTH && buffer.getByte(CREATOR_ROLE_OFFSET + length) != 0)
        {
            length++;
        }
        final String role = buffer.getStringWithoutLengthAscii(CREATOR_ROLE_OFFSET, length);
        return isRole(role) ? role : "";
    }

    /** @throws RegionException naming {@code path} when {@code role} is neither "" nor a role. */
    static void checkRole(final Path path, final String role)
    {
        if (!role.isEmpty() && !isRole(role))
        {
            throw new RegionException(path, "bad role=" + role + " (up to " + CREATOR_ROLE_LENGTH + " of a-z, 0-9, -)");
        }
    }

    /** {@return when the region was created, epoch ms} */
    public long startTimeMs()
    {
        return buffer.getLong(START_TIME_OFFSET);
    }

    /** {@return true in the process that created the region} */
    public boolean isCreator()
    {
        return creator;
    }

    /** {@return the file behind the region, or null for an anonymous one} */
    public Path path()
    {
        return path;
    }

    /** {@return total length in bytes} */
    public long lengthBytes()
    {
        return segment.byteSize();
    }

    /** {@return the whole region, descriptor included} */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /** {@return the whole region as a memory segment} */
    public MemorySegment segment()
    {
        return segment;
    }

    /**
     * Unmaps the region and, in the creator of a file region, deletes the file if its path still names the file
     * created (never one put there by someone else). Every view of it becomes invalid.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (arena != null)
        {
            arena.close();
        }
        if (file != null)
        {
            file.close();
        }
    }

    @Override
    public String toString()
    {
        return "Region{path=" + path + ", lengthBytes=" + lengthBytes() + ", sections=" + sectionNames() + '}';
    }

    void initialise(final long totalLength, final int sectionCapacity)
    {
        final ProcessHandle self = ProcessHandle.current();
        final long now = System.currentTimeMillis();
        final int headerLength = headerLength(sectionCapacity);
        buffer.putLong(MAGIC_OFFSET, MAGIC);
        buffer.putInt(PAGE_SIZE_OFFSET, PAGE_SIZE);
        buffer.putLong(TOTAL_LENGTH_OFFSET, totalLength);
        buffer.putLong(CREATOR_PID_OFFSET, self.pid());
        buffer.putLong(CREATOR_START_TIME_OFFSET, self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L));
        buffer.putLong(START_TIME_OFFSET, now);
        buffer.putInt(SECTION_CAPACITY_OFFSET, sectionCapacity);
        buffer.putInt(HEADER_LENGTH_OFFSET, headerLength);
        buffer.putLong(HEARTBEAT_OFFSET, now);
        buffer.putLong(ALLOCATION_OFFSET, allocation(0, headerLength / PAGE_SIZE));
        // release: whoever loads the version with acquire semantics sees every field above
        buffer.putIntRelease(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
    }

    static long checkCreateArguments(final Path path, final long lengthBytes, final int sectionCapacity)
    {
        if (sectionCapacity < 1 || sectionCapacity > MAX_SECTION_CAPACITY)
        {
            throw new RegionException(path, "bad sectionCapacity=" + sectionCapacity + " (1.." + MAX_SECTION_CAPACITY + ")");
        }
        final long totalLength = ((lengthBytes + PAGE_SIZE - 1) / PAGE_SIZE) * PAGE_SIZE;
        if (lengthBytes < headerLength(sectionCapacity) || totalLength > RegionDescriptor.MAX_TOTAL_LENGTH)
        {
            throw new RegionException(path, "bad lengthBytes=" + lengthBytes + " (" + headerLength(sectionCapacity)
                + " .. " + (RegionDescriptor.MAX_TOTAL_LENGTH >> 30) + " GiB for sectionCapacity=" + sectionCapacity + ")");
        }
        return totalLength;
    }

    private List<String> sectionNames()
    {
        final List<String> names = new ArrayList<>();
        for (final RegionSection section : sections())
        {
            names.add(section.name());
        }
        return names;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("region closed: path=" + path);
        }
    }
}

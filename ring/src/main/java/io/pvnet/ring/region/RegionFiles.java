package io.pvnet.ring.region;

import io.pvnet.ring.share.LinuxCalls;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.pvnet.ring.region.RegionDescriptor.*;

/**
 * The file side of a {@link Region}: creating a region file ({@link HostFile}'s exclusive create under an unpredictable
 * name, the descriptor written, then published; an existing file replaced only when it is this user's region whose
 * creator is gone) and opening one (mapped, then checked in order: a regular file, long enough, magic, layout version
 * after waiting up to {@link #READY_TIMEOUT_MS} while it is 0, descriptor fields, creator alive, heartbeat). Every
 * refusal is one {@link RegionException} naming the file and the field; a refused file is left as it was, and
 * whatever was mapped or created for it is released.
 * <p>
 * Threading: configuration-time calls from any thread; each works on its own file and mapping.
 */
final class RegionFiles
{
    /** How long {@link Region#open(Path)} waits for a region whose version is still 0 before failing. */
    static final long READY_TIMEOUT_MS = 2_000;

    /** Tolerance when comparing a recorded process start time with the live process's start time. */
    static final long START_TIME_TOLERANCE_MS = 1_000;

    private RegionFiles()
    {
    }

    /** {@link Region#create(Path, long, int, String)}. */
    static Region create(final Path path, final long lengthBytes, final int sectionCapacity, final String role)
    {
        JvmFlags.check();
        Region.checkRole(path, role);
        final long totalLength = Region.checkCreateArguments(path, lengthBytes, sectionCapacity);
        final HostFile file = HostFile.create(path, RegionFiles::refusalToReplace);
        final Arena arena = Arena.ofShared();
        try
        {
            final FileChannel channel = file.channel();
            channel.write(java.nio.ByteBuffer.allocate(1), totalLength - 1);
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, totalLength, arena);
            final Region region = new Region(path, arena, segment, true, file);
            region.putCreatorRole(role);
            region.initialise(totalLength, sectionCapacity);
            file.publish();
            return region;
        }
        catch (final IOException | RuntimeException ex)
        {
            arena.close();
            file.close();
            if (ex instanceof RegionException regionException)
            {
                throw regionException;
            }
            throw new RegionException(path, "cannot create: " + ex, ex);
        }
    }

    /** {@link Region#open(Path, long)}. */
    static Region open(final Path path, final long heartbeatTimeoutMs)
    {
        JvmFlags.check();
        if (Files.exists(path) && !Files.isRegularFile(path))
        {
            throw new RegionException(path, "not a regular file (a directory, device node, FIFO or socket)");
        }
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment segment;
            final long fileLength;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                fileLength = channel.size();
                segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, Math.min(fileLength, RegionDescriptor.MAX_TOTAL_LENGTH), arena);
            }
            final Region region = new Region(path, arena, segment, false, null);
            awaitReady(region, fileLength);
            checkDescriptor(region.buffer(), fileLength, path);
            checkCreatorAlive(region);
            checkHeartbeat(region, heartbeatTimeoutMs);
            return region;
        }
        catch (final NoSuchFileException ex)
        {
            arena.close();
            throw new RegionException(path, "no such file", ex);
        }
        catch (final IOException ex)
        {
            arena.close();
            throw new RegionException(path, "cannot open: " + ex, ex);
        }
        catch (final RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
    }

    /** {@link Region#readCreatorRole(Path, long)}. */
    static String readCreatorRole(final Path path, final long creatorPid)
    {
        try (Arena arena = Arena.ofConfined())
        {
            // the descriptor's fields up to the role; a FIFO, a link or anything but a regular file reads nothing
            final MemorySegment header = arena.allocate(HEARTBEAT_OFFSET, 8);
            if (LinuxCalls.readRegularFile(path, header) != HEARTBEAT_OFFSET)
            {
                return ""; // naming a process never fails its caller
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(header.address(), HEARTBEAT_OFFSET);
            final boolean published = buffer.getLong(MAGIC_OFFSET) == MAGIC &&
                buffer.getInt(LAYOUT_VERSION_OFFSET) == LAYOUT_VERSION;
            return published && buffer.getLong(CREATOR_PID_OFFSET) == creatorPid ? Region.creatorRole(buffer) : "";
        }
    }

    /** {@link HostFile.ReplaceCheck} for regions: only a region whose creator is gone may be replaced. */
    private static String refusalToReplace(final Path path, final java.nio.ByteBuffer header)
    {
        if (header.remaining() < SECTION_TABLE_OFFSET || header.getLong(MAGIC_OFFSET) != MAGIC)
        {
            return "exists and is not a pvnet region (no magic \"PVNETRGN\"); refusing to replace it";
        }
        final long pid = header.getLong(CREATOR_PID_OFFSET);
        return creatorGone(pid, header.getLong(CREATOR_START_TIME_OFFSET)) == null ?
            "in use: a live region created by creatorPid=" + pid + " is there" : null;
    }

    /**
     * {@return why a region's creator is gone (its pid runs no process, or runs one that started at another time: a
     * reused pid), or null while it lives}
     * <p>
     * Whether the pid runs is {@link ProcessStart#alive}'s rule, the one the section table applies to claimers
     * (zombies are gone, a thread-group leader whose main thread ended while others run is not). The start time is
     * compared here in epoch ms, within {@link #START_TIME_TOLERANCE_MS}, because that is what
     * {@link RegionDescriptor#CREATOR_START_TIME_OFFSET} holds (the JDK's start instant, since layout 1): storing
     * clock ticks there instead would change the field's unit within layout version 3, and a build reading ticks would
     * take a live region written by an earlier version-3 build for a stale one and replace it. That needs a version
     * bump, which this check does not justify.
     *
     * @param pid           the creator's pid from the descriptor.
     * @param recordedStart the creator's start instant in epoch ms from the descriptor, 0 when not recorded.
     */
    static String creatorGone(final long pid, final long recordedStart)
    {
        if (!ProcessStart.alive(pid, ProcessStart.UNKNOWN))
        {
            return "creatorPid=" + pid + " is not running";
        }
        final long liveStart = ProcessHandle.of(pid).flatMap(process -> process.info().startInstant())
            .map(java.time.Instant::toEpochMilli).orElse(0L);
        if (recordedStart != 0 && liveStart != 0 && Math.abs(liveStart - recordedStart) > START_TIME_TOLERANCE_MS)
        {
            return "creatorPid=" + pid + " now belongs to a process started at " + liveStart
                + ", the creator started at " + recordedStart;
        }
        return null;
    }

    private static void awaitReady(final Region region, final long fileLength)
    {
        final AtomicBuffer buffer = region.buffer();
        if (fileLength < SECTION_TABLE_OFFSET || buffer.getLong(MAGIC_OFFSET) != MAGIC)
        {
            return; // checkDescriptor names the problem
        }
        final long deadline = System.nanoTime() + READY_TIMEOUT_MS * 1_000_000L;
        while (buffer.getIntAcquire(LAYOUT_VERSION_OFFSET) == 0 && System.nanoTime() - deadline < 0)
        {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private static void checkCreatorAlive(final Region region)
    {
        final String gone = creatorGone(region.creatorPid(), region.buffer().getLong(CREATOR_START_TIME_OFFSET));
        if (gone != null)
        {
            throw new RegionException(region.path(), "creator gone: " + gone + " (stale region file)");
        }
    }

    private static void checkHeartbeat(final Region region, final long heartbeatTimeoutMs)
    {
        if (heartbeatTimeoutMs == Long.MAX_VALUE)
        {
            return;
        }
        final long ageMs = System.currentTimeMillis() - region.heartbeatMs();
        if (ageMs > heartbeatTimeoutMs)
        {
            throw new RegionException(region.path(), "stale heartbeat: last heartbeat " + ageMs + " ms ago, heartbeatTimeoutMs="
                + heartbeatTimeoutMs + " (creatorPid=" + region.creatorPid() + ")");
        }
    }
}

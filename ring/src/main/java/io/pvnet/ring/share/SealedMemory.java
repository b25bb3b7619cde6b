package io.pvnet.ring.share;

import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.pvnet.ring.share.LinuxCalls.*;

/**
 * Memory shared with one other process that the other process cannot pull away: a {@code memfd} of a fixed size,
 * sealed with {@code F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL} before anyone else sees it, mapped {@code MAP_SHARED}
 * read-write. A peer holding the descriptor can write the memory but cannot truncate it (which would turn the host's
 * next access into SIGBUS), grow it, or change the seals; what it does to the contents harms only what lives there.
 * This is vhost-user's model for guest memory and pvnet's for a guest's share (rings, grant table, granted pages,
 * event words).
 * <p>
 * {@link #create} is the host's side; {@link #adopt} the receiver's, which checks the seals and the size before
 * mapping anything. The descriptor is close-on-exec.
 * <p>
 * Threading: create/adopt/close on a configuration thread; the mapping may be used by any thread until
 * {@link #close()}, which unmaps it (every view becomes invalid) and closes the descriptor.
 */
public final class SealedMemory implements AutoCloseable
{
    /** Seals every share carries. */
    public static final int REQUIRED_SEALS = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;

    private final int fd;
    private final long lengthBytes;
    private final Arena arena;
    private final MemorySegment segment;
    private boolean closed;

    private SealedMemory(final int fd, final long lengthBytes, final Arena arena, final MemorySegment segment)
    {
        this.fd = fd;
        this.lengthBytes = lengthBytes;
        this.arena = arena;
        this.segment = segment;
    }

    /**
     * Creates a zero-filled memfd of {@code lengthBytes}, seals it and maps it.
     *
     * @param name shows as {@code memfd:NAME} in {@code /proc/PID/maps} (up to 249 bytes).
     * @param lengthBytes the size in bytes; fixed for the memory's life by the seals.
     * @return the memory, owned by the caller: {@link #close()} unmaps it and closes the descriptor.
     * @throws LinuxException when a call fails.
     */
    public static SealedMemory create(final String name, final long lengthBytes)
    {
        if (lengthBytes <= 0 || lengthBytes > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("lengthBytes=" + lengthBytes + " must be in 1..2 GiB");
        }
        final int fd;
        try (Arena scratch = Arena.ofConfined())
        {
            final long nameAddress = scratch.allocateFrom(name.length() > 249 ? name.substring(0, 249) : name).address();
            // MFD_NOEXEC_SEAL (6.3+) also seals exec bits; older kernels reject it with EINVAL: retry without
            final long result = raw(MEMFD_CREATE, nameAddress, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL, 0, 0, 0, 0);
            fd = (int)(result == -EINVAL ?
                check("memfd_create", MEMFD_CREATE, nameAddress, MFD_CLOEXEC | MFD_ALLOW_SEALING, 0) :
                result >= 0 ? result : failed("memfd_create", result));
        }
        try
        {
            check("ftruncate", FTRUNCATE, fd, lengthBytes, 0);
            check("fcntl(F_ADD_SEALS)", FCNTL, fd, F_ADD_SEALS, REQUIRED_SEALS);
            return map(fd, lengthBytes);
        }
        catch (final RuntimeException ex)
        {
            LinuxCalls.close(fd);
            throw ex;
        }
    }

    /**
     * Takes ownership of a memfd received from another process and maps it, after checking that it carries
     * {@link #REQUIRED_SEALS} and is exactly {@code expectedLengthBytes} long. On failure the descriptor is closed.
     *
     * @param fd the received memfd; owned by the returned memory from now on (closed on failure).
     * @param expectedLengthBytes the size the protocol agreed on.
     * @return the memory, owned by the caller: {@link #close()} unmaps it and closes the descriptor.
     * @throws IllegalArgumentException naming what is wrong (missing seals, wrong size, not a memfd).
     */
    public static SealedMemory adopt(final int fd, final long expectedLengthBytes)
    {
        try
        {
            final long sealsResult = raw(FCNTL, fd, F_GET_SEALS, 0, 0, 0, 0);
            if (sealsResult < 0)
            {
                throw new IllegalArgumentException("fd " + fd + " is not a sealable memfd: " +
                    LinuxException.name((int)-sealsResult));
            }
            final int seals = (int)sealsResult;
            if ((seals & REQUIRED_SEALS) != REQUIRED_SEALS)
            {
                throw new IllegalArgumentException("memfd lacks seals: has 0x" + Integer.toHexString(seals) +
                    ", needs SHRINK|GROW|SEAL (0x" + Integer.toHexString(REQUIRED_SEALS) + ")");
            }
            final long size = LinuxCalls.size(fd);
            if (size != expectedLengthBytes)
            {
                throw new IllegalArgumentException("memfd size=" + size + " but expected=" + expectedLengthBytes);
            }
            return map(fd, size);
        }
        catch (final RuntimeException ex)
        {
            LinuxCalls.close(fd);
            throw ex;
        }
    }

    private static SealedMemory map(final int fd, final long lengthBytes)
    {
        final long address = check("mmap", MMAP, 0, lengthBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        final Arena arena = Arena.ofShared();
        final MemorySegment segment = MemorySegment.ofAddress(address)
            .reinterpret(lengthBytes, arena, ignored -> raw(MUNMAP, address, lengthBytes, 0, 0, 0, 0));
        return new SealedMemory(fd, lengthBytes, arena, segment);
    }

    private static long failed(final String call, final long result)
    {
        throw new LinuxException(call, (int)-result);
    }

    /** {@return the descriptor (to pass to the peer with {@code SCM_RIGHTS}); owned by this object} */
    public int fd()
    {
        return fd;
    }

    /** {@return length in bytes} */
    public long lengthBytes()
    {
        return lengthBytes;
    }

    /** {@return the mapping} */
    public MemorySegment segment()
    {
        return segment;
    }

    /** {@return a new Agrona view of the whole mapping} */
    public UnsafeBuffer buffer()
    {
        return new UnsafeBuffer(segment.address(), (int)lengthBytes);
    }

    /** Unmaps and closes the descriptor. Idempotent. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            arena.close();
            LinuxCalls.close(fd);
        }
    }
}

package io.pvnet.engine.port.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static io.pvnet.engine.port.tap.LinuxTapCalls.*;

/**
 * A Linux TAP device opened through {@code /dev/net/tun} with {@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR}, a 12-byte
 * virtio-net header ({@link VirtioNetHeaderDescriptor}) and, when asked, checksum and TSO offload
 * ({@code TUNSETOFFLOAD TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6}). The descriptor is non-blocking.
 * <p>
 * The device lives as long as this object is open (it is not made persistent). It may be moved to another network
 * namespace ({@code ip link set NAME netns NS}); the descriptor keeps working.
 * <p>
 * Threading: one thread reads ({@link #read}) and one thread writes ({@link #writev}); each has its own errno state.
 */
public final class TapDevice implements AutoCloseable
{
    private static final byte[] DEV_NET_TUN = "/dev/net/tun\0".getBytes(StandardCharsets.US_ASCII);

    private final Arena arena = Arena.ofShared();
    private final MemorySegment readErrno = newErrnoState(arena);
    private final MemorySegment writeErrno = newErrnoState(arena);
    private final String name;
    private final boolean offload;
    private int fd;

    /**
     * Creates the device.
     *
     * @param requestedName the interface name (up to 15 bytes), or empty to let the kernel choose {@code tapN}.
     * @param offload       whether to ask the kernel for checksum and TSO offload on frames we write and read.
     * @throws IllegalStateException when the device cannot be created, with errno in the message.
     */
    public TapDevice(final String requestedName, final boolean offload)
    {
        final byte[] nameBytes = requestedName.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length >= IFNAMSIZ)
        {
            throw new IllegalArgumentException("name=" + requestedName + " longer than " + (IFNAMSIZ - 1) + " bytes");
        }
        this.offload = offload;
        final MemorySegment errno = newErrnoState(arena);
        final MemorySegment path = arena.allocate(DEV_NET_TUN.length);
        path.copyFrom(MemorySegment.ofArray(DEV_NET_TUN));
        fd = open(errno, path.address(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
        {
            final int code = errno(errno);
            arena.close();
            throw new IllegalStateException("open /dev/net/tun failed: errno=" + code);
        }
        try
        {
            final MemorySegment ifreq = arena.allocate(IFREQ_LENGTH);
            MemorySegment.copy(nameBytes, 0, ifreq, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, nameBytes.length);
            ifreq.set(java.lang.foreign.ValueLayout.JAVA_SHORT, IFREQ_FLAGS_OFFSET,
                (short)(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
            check(ioctl(errno, fd, TUNSETIFF, ifreq.address()), errno, "TUNSETIFF name=" + requestedName);
            name = ifreq.getString(0, StandardCharsets.US_ASCII);

            final MemorySegment size = arena.allocate(4);
            size.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, VirtioNetHeaderDescriptor.LENGTH);
            check(ioctl(errno, fd, TUNSETVNETHDRSZ, size.address()), errno, "TUNSETVNETHDRSZ");
            check(ioctl(errno, fd, TUNSETOFFLOAD, offload ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN : 0),
                errno, "TUNSETOFFLOAD offload=" + offload);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private static void check(final int result, final MemorySegment errno, final String what)
    {
        if (result < 0)
        {
            throw new IllegalStateException(what + " failed: errno=" + errno(errno));
        }
    }

    /** {@return the interface name the kernel gave the device} */
    public String name()
    {
        return name;
    }

    /** {@return whether checksum and TSO offload were negotiated with the kernel} */
    public boolean offload()
    {
        return offload;
    }

    /**
     * Reads one frame (with its virtio-net header first) into native memory. Reader thread only; never blocks.
     *
     * @param address  where the frame is read to (native memory of at least {@code capacity} bytes).
     * @param capacity bytes available at {@code address}; a longer frame is truncated by the kernel.
     * @return bytes read, 0 when nothing is waiting, or {@code -errno}.
     */
    public long read(final long address, final int capacity)
    {
        final long n = LinuxTapCalls.read(readErrno, fd, address, capacity);
        if (n >= 0)
        {
            return n;
        }
        final int code = errno(readErrno);
        return code == EAGAIN || code == EINTR ? 0 : -code;
    }

    /**
     * Writes one frame given as an iovec array in native memory (header first). Writer thread only.
     *
     * @param iovecAddress native address of {@code count} {@code struct iovec}s (16 bytes each: base, length).
     * @param count        iovecs in the array.
     * @return bytes written, or {@code -errno}.
     */
    public long writev(final long iovecAddress, final int count)
    {
        final long n = LinuxTapCalls.writev(writeErrno, fd, iovecAddress, count);
        return n >= 0 ? n : -errno(writeErrno);
    }

    /** Closes the descriptor, which removes the device. Idempotent; call once no thread reads or writes. */
    @Override
    public void close()
    {
        if (fd >= 0)
        {
            LinuxTapCalls.close(fd);
            fd = -1;
            arena.close();
        }
    }
}

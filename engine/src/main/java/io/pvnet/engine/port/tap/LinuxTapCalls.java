package io.pvnet.engine.port.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc calls a TAP device needs, as FFM downcalls (no JNI): {@code open}, {@code ioctl}, {@code read},
 * {@code writev}, {@code close}. Pointers are passed as {@code long} addresses (the x86-64/AArch64 ABI passes both in
 * the same integer register), so a call on the data path creates no {@link MemorySegment}. {@code errno} is captured
 * into a caller-owned state segment ({@link #newErrnoState}).
 * <p>
 * Threading: the handles are stateless; each thread passes its own errno state segment.
 */
final class LinuxTapCalls
{
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int EAGAIN = 11;
    static final int EINTR = 4;

    /** {@code _IOW('T', 202, int)}. */
    static final long TUNSETIFF = 0x400454caL;
    /** {@code _IOW('T', 208, unsigned int)}. */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    /** {@code _IOW('T', 216, int)}. */
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    /** {@code _IOR('T', 210, unsigned int)}. */
    static final long TUNGETIFF = 0x800454d2L;

    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_VNET_HDR = 0x4000;

    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int TUN_F_TSO_ECN = 0x08;

    /** {@code struct ifreq}: 16-byte name then a 24-byte union whose first member here is {@code short ifr_flags}. */
    static final int IFREQ_LENGTH = 40;
    static final int IFREQ_FLAGS_OFFSET = 16;
    static final int IFNAMSIZ = 16;

    /** {@code struct iovec}: base pointer and length, 16 bytes. */
    static final int IOVEC_LENGTH = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = LINKER.downcallHandle(
        LIBC.find("open").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT),
        CAPTURE_ERRNO);
    private static final MethodHandle IOCTL = LINKER.downcallHandle(
        LIBC.find("ioctl").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
        CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = LINKER.downcallHandle(
        LIBC.find("read").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG),
        CAPTURE_ERRNO);
    private static final MethodHandle WRITEV = LINKER.downcallHandle(
        LIBC.find("writev").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT),
        CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
        LIBC.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private LinuxTapCalls()
    {
    }

    /** {@return a segment to receive errno, allocated in {@code arena}} */
    static MemorySegment newErrnoState(final Arena arena)
    {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** {@return the errno captured by the last call that used {@code state}} */
    static int errno(final MemorySegment state)
    {
        return (int)ERRNO.get(state, 0L);
    }

    static int open(final MemorySegment state, final long pathAddress, final int flags)
    {
        try
        {
            return (int)OPEN.invokeExact(state, pathAddress, flags);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("open failed to link", t);
        }
    }

    static int ioctl(final MemorySegment state, final int fd, final long request, final long argument)
    {
        try
        {
            return (int)IOCTL.invokeExact(state, fd, request, argument);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("ioctl failed to link", t);
        }
    }

    /** {@return bytes read, or -1 with errno in {@code state}} */
    static long read(final MemorySegment state, final int fd, final long address, final long length)
    {
        try
        {
            return (long)READ.invokeExact(state, fd, address, length);
        }
        catch (final Throwable t)
        {
            return -1;
        }
    }

    /** {@return bytes written, or -1 with errno in {@code state}} */
    static long writev(final MemorySegment state, final int fd, final long iovecAddress, final int count)
    {
        try
        {
            return (long)WRITEV.invokeExact(state, fd, iovecAddress, count);
        }
        catch (final Throwable t)
        {
            return -1;
        }
    }

    static int close(final int fd)
    {
        try
        {
            return (int)CLOSE.invokeExact(fd);
        }
        catch (final Throwable t)
        {
            return -1;
        }
    }
}

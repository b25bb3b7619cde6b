package io.pvnet.ring.share;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux system calls that sharing memory with another process needs, through libc's {@code syscall(2)} as one FFM
 * downcall (no JNI): memfd and seals, mmap, AF_UNIX sockets with {@code SCM_RIGHTS} and {@code SO_PEERCRED}. Every
 * argument is passed as a {@code long} (pointers as addresses); numbers per architecture (x86-64, AArch64) from the
 * kernel's syscall tables. A call returns the kernel's result or throws {@link LinuxException} naming the call and
 * errno ({@link #check}); {@link #raw} returns {@code -errno} for callers that expect failures (EINTR, EAGAIN).
 * <p>
 * Threading: stateless; the errno capture segment is per thread.
 */
public final class LinuxCalls
{
    static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));

    static final long MEMFD_CREATE = AARCH64 ? 279 : 319;
    static final long FCNTL = AARCH64 ? 25 : 72;
    static final long FTRUNCATE = AARCH64 ? 46 : 77;
    static final long LSEEK = AARCH64 ? 62 : 8;
    static final long MMAP = AARCH64 ? 222 : 9;
    static final long MUNMAP = AARCH64 ? 215 : 11;
    static final long CLOSE = AARCH64 ? 57 : 3;
    static final long SOCKET = AARCH64 ? 198 : 41;
    static final long SOCKETPAIR = AARCH64 ? 199 : 53;
    static final long BIND = AARCH64 ? 200 : 49;
    static final long LISTEN = AARCH64 ? 201 : 50;
    static final long CONNECT = AARCH64 ? 203 : 42;
    static final long ACCEPT4 = AARCH64 ? 242 : 288;
    static final long SHUTDOWN = AARCH64 ? 210 : 48;
    static final long GETSOCKOPT = AARCH64 ? 209 : 55;
    static final long SENDMSG = AARCH64 ? 211 : 46;
    static final long RECVMSG = AARCH64 ? 212 : 47;

    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** Try again: the call would block. */
    public static final int EAGAIN = 11;
    /** Operation not permitted (for example a sealed memfd's {@code ftruncate}). */
    public static final int EPERM = 1;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** Connection refused: nobody listens. */
    public static final int ECONNREFUSED = 111;
    /** Address already in use. */
    public static final int EADDRINUSE = 98;

    static final int MFD_CLOEXEC = 0x1;
    static final int MFD_ALLOW_SEALING = 0x2;
    static final int MFD_NOEXEC_SEAL = 0x8;
    static final int F_GETFD = 1;
    static final int FD_CLOEXEC = 1;
    static final int F_ADD_SEALS = 1033;
    static final int F_GET_SEALS = 1034;
    /** {@code F_SEAL_SEAL}: no further seals may be added. */
    public static final int F_SEAL_SEAL = 0x01;
    /** {@code F_SEAL_SHRINK}: the file may not shrink. */
    public static final int F_SEAL_SHRINK = 0x02;
    /** {@code F_SEAL_GROW}: the file may not grow. */
    public static final int F_SEAL_GROW = 0x04;
    /** {@code F_SEAL_WRITE}: the file's contents may not be written. */
    public static final int F_SEAL_WRITE = 0x08;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int SEEK_END = 2;

    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_PEERCRED = 17;
    static final int SCM_RIGHTS = 1;
    static final int MSG_CTRUNC = 0x08;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int SHUT_RDWR = 2;
    /** {@code struct sockaddr_un}: u16 family then 108 bytes of path. */
    static final int SOCKADDR_UN_LENGTH = 110;
    static final int SUN_PATH_MAX = 107;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
        LINKER.defaultLookup().find("syscall").orElseThrow(),
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
        Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    private static final ThreadLocal<MemorySegment> ERRNO_STATE =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private LinuxCalls()
    {
    }

    /**
     * {@return the kernel's result (>= 0) or {@code -errno}}
     * @param number the system call number for this architecture.
     * @param a first argument.
     * @param b second argument.
     * @param c third argument.
     * @param d fourth argument.
     * @param e fifth argument.
     * @param f sixth argument.
     */
    public static long raw(final long number, final long a, final long b, final long c, final long d, final long e,
        final long f)
    {
        final MemorySegment state = ERRNO_STATE.get();
        final long result;
        try
        {
            result = (long)SYSCALL.invokeExact(state, number, a, b, c, d, e, f);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("syscall downcall failed", t);
        }
        return result == -1 ? -(int)ERRNO.get(state, 0L) : result;
    }

    /**
     * {@return the kernel's result; throws {@link LinuxException} naming {@code call} on failure (EINTR retried)}
     * @param call the call's name, for the exception's message.
     * @param number the system call number for this architecture.
     * @param a first argument.
     * @param b second argument.
     * @param c third argument.
     * @param d fourth argument.
     * @param e fifth argument.
     * @param f sixth argument.
     */
    public static long check(final String call, final long number, final long a, final long b, final long c,
        final long d, final long e, final long f)
    {
        while (true)
        {
            final long result = raw(number, a, b, c, d, e, f);
            if (result >= 0)
            {
                return result;
            }
            if (result != -EINTR)
            {
                throw new LinuxException(call, (int)-result);
            }
        }
    }

    static long check(final String call, final long number, final long a, final long b, final long c)
    {
        return check(call, number, a, b, c, 0, 0, 0);
    }

    /**
     * Closes {@code fd}, ignoring errors (a close that fails has still released the descriptor on Linux).
     * @param fd the descriptor.
     */
    public static void close(final int fd)
    {
        if (fd >= 0)
        {
            raw(CLOSE, fd, 0, 0, 0, 0, 0);
        }
    }

    /**
     * {@return whether {@code fd} has FD_CLOEXEC set}
     * @param fd the descriptor.
     */
    public static boolean isCloseOnExec(final int fd)
    {
        return (check("fcntl(F_GETFD)", FCNTL, fd, F_GETFD, 0) & FD_CLOEXEC) != 0;
    }

    /**
     * {@return the seals of a memfd ({@code F_GET_SEALS})}
     * @param fd the memfd.
     */
    public static int seals(final int fd)
    {
        return (int)check("fcntl(F_GET_SEALS)", FCNTL, fd, F_GET_SEALS, 0);
    }

    /**
     * {@return {@code ftruncate(fd, length)}: 0 or {@code -errno} (a guest trying to pull its memory away)}
     * @param fd the memfd.
     * @param length the new length in bytes.
     */
    public static int truncate(final int fd, final long length)
    {
        return (int)raw(FTRUNCATE, fd, length, 0, 0, 0, 0);
    }

    /**
     * {@return the size of the file behind {@code fd}}
     * @param fd the descriptor.
     */
    public static long size(final int fd)
    {
        return check("lseek", LSEEK, fd, 0, SEEK_END);
    }
}

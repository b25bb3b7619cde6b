package io.pvnet.ring.share;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
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
    static final long PRCTL = AARCH64 ? 167 : 157;
    static final long READ = AARCH64 ? 63 : 0;
    static final long WRITE = AARCH64 ? 64 : 1;
    static final long EVENTFD2 = AARCH64 ? 19 : 290;
    static final long EPOLL_CREATE1 = AARCH64 ? 20 : 291;
    static final long EPOLL_CTL = AARCH64 ? 21 : 233;
    /** aarch64 has no {@code epoll_wait}: {@code epoll_pwait} with a null signal mask on both. */
    static final long EPOLL_PWAIT = AARCH64 ? 22 : 281;
    /** aarch64 has no {@code poll}: {@code ppoll} with a null signal mask on both. */
    static final long PPOLL = AARCH64 ? 73 : 271;
    static final long OPENAT = AARCH64 ? 56 : 257;
    static final long FSTAT = AARCH64 ? 80 : 5;
    static final long GETEUID = AARCH64 ? 175 : 107;

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
    /** Broken pipe: the peer closed the connection before a send. */
    public static final int EPIPE = 32;
    /** Connection reset by the peer. */
    public static final int ECONNRESET = 104;

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
    /** Linux 5.1: no new writable mapping and no write(2); mappings made before the seal stay writable. */
    public static final int F_SEAL_FUTURE_WRITE = 0x10;
    static final int PR_GET_DUMPABLE = 3;
    static final int PR_SET_DUMPABLE = 4;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int SEEK_END = 2;
    static final int AT_FDCWD = -100;
    static final int O_RDONLY = 0;
    static final int O_NONBLOCK = 0x800;
    static final int O_NOFOLLOW = AARCH64 ? 0x8000 : 0x20000;
    static final int O_CLOEXEC = 0x80000;
    /** Never the caller's controlling terminal, whatever the path turns out to be. */
    static final int O_NOCTTY = 0x100;
    /** {@code struct stat}: its length and where {@code st_mode} lies (x86_64 has {@code st_nlink} before it). */
    static final int STAT_LENGTH = AARCH64 ? 128 : 144;
    static final int STAT_MODE_OFFSET = AARCH64 ? 16 : 24;
    static final int S_IFMT = 0xF000;
    static final int S_IFREG = 0x8000;

    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_PEERCRED = 17;
    static final int SCM_RIGHTS = 1;
    static final int MSG_CTRUNC = 0x08;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int SHUT_RDWR = 2;
    /** {@code POLLIN} in {@code struct pollfd.events}. */
    static final short POLLIN = 0x1;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    /** {@code EPOLLIN}. */
    public static final int EPOLLIN = 0x1;
    /** {@code EPOLLET}: edge-triggered (every eventfd write is a new edge, so the counter need never be read). */
    public static final int EPOLLET = 1 << 31;
    /** {@code sizeof(struct epoll_event)}: packed 12 bytes on x86-64, 16 on AArch64 (data at 4 / 8). */
    public static final int EPOLL_EVENT_LENGTH = AARCH64 ? 16 : 12;
    /** Offset of {@code epoll_event.data} (u64). */
    public static final int EPOLL_EVENT_DATA_OFFSET = AARCH64 ? 8 : 4;
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

    /** The 8 bytes an eventfd signal writes (a u64 1; read-only after class initialisation, shared by threads). */
    private static final MemorySegment EVENTFD_ONE = one();

    private LinuxCalls()
    {
    }

    private static MemorySegment one()
    {
        final MemorySegment one = Arena.global().allocate(8, 8);
        one.set(JAVA_LONG, 0, 1L);
        return one;
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

    /** {@return this process's effective uid ({@code geteuid}, which cannot fail)} */
    public static int effectiveUid()
    {
        return (int)raw(GETEUID, 0, 0, 0, 0, 0, 0);
    }

    /**
     * Reads the start of the regular file at {@code path}: the open never follows a symbolic link at its last component
     * ({@code O_NOFOLLOW}), blocks on a FIFO ({@code O_NONBLOCK}) or takes a terminal ({@code O_NOCTTY}), and the
     * opened descriptor must be a regular file ({@code fstat}), so nothing swapped in after a caller's check is read or
     * waited on.
     *
     * @param path the file.
     * @param into native memory its bytes go to, from the file's start.
     * @return the bytes read (fewer than {@code into} holds when the file is shorter), or {@code -errno}: ENOENT,
     *         EACCES, ELOOP (a symbolic link), ENXIO (a socket), ...; {@code -EINVAL} for anything but a regular file.
     */
    public static long readRegularFile(final Path path, final MemorySegment into)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final long fd = raw(OPENAT, AT_FDCWD, arena.allocateFrom(path.toString()).address(),
                O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0, 0, 0);
            if (fd < 0)
            {
                return fd;
            }
            try
            {
                final MemorySegment stat = arena.allocate(STAT_LENGTH, 8);
                final long statted = raw(FSTAT, fd, stat.address(), 0, 0, 0, 0);
                if (statted < 0)
                {
                    return statted;
                }
                if ((stat.get(JAVA_INT, STAT_MODE_OFFSET) & S_IFMT) != S_IFREG)
                {
                    return -EINVAL;
                }
                long done = 0;
                while (done < into.byteSize())
                {
                    final long read = raw(READ, fd, into.address() + done, into.byteSize() - done, 0, 0, 0);
                    if (read == 0)
                    {
                        break; // the end of the file
                    }
                    if (read < 0 && read != -EINTR)
                    {
                        return read;
                    }
                    done += Math.max(0, read);
                }
                return done;
            }
            finally
            {
                close((int)fd);
            }
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
     * {@code prctl(PR_SET_DUMPABLE)}: a process that is not dumpable has its {@code /proc/PID} entries owned by root
     * and refuses {@code ptrace} to processes without {@code CAP_SYS_PTRACE}, so another process of the same uid can
     * neither read its memory ({@code /proc/PID/mem}, {@code /proc/PID/map_files}) nor open its descriptors
     * ({@code /proc/PID/fd/N}); it also writes no core dump. As ssh-agent and gpg-agent do. Lasts until the next
     * {@code execve} or a change of credentials.
     *
     * @param dumpable false to close the process to others.
     */
    public static void setDumpable(final boolean dumpable)
    {
        check("prctl(PR_SET_DUMPABLE)", PRCTL, PR_SET_DUMPABLE, dumpable ? 1 : 0, 0);
    }

    /** @return whether this process is dumpable ({@code prctl(PR_GET_DUMPABLE)}). */
    public static boolean isDumpable()
    {
        return check("prctl(PR_GET_DUMPABLE)", PRCTL, PR_GET_DUMPABLE, 0, 0) != 0;
    }

    /**
     * {@return the size of the file behind {@code fd}}
     * @param fd the descriptor.
     */
    public static long size(final int fd)
    {
        return check("lseek", LSEEK, fd, 0, SEEK_END);
    }

    /**
     * @return a new eventfd ({@code eventfd2(0, EFD_CLOEXEC | EFD_NONBLOCK)}): a kernel counter another process can be
     *         handed (over {@code SCM_RIGHTS}) to wake a thread waiting on it in epoll.
     */
    public static int eventfd()
    {
        return (int)check("eventfd2", EVENTFD2, 0, EFD_CLOEXEC | EFD_NONBLOCK, 0);
    }

    /**
     * Signals an eventfd: {@code write(fd, &1, 8)}. Allocation-free; any thread.
     *
     * @return 0, or {@code -errno} (EAGAIN only after 2^64 - 2 signals nobody read; EBADF for a closed descriptor).
     */
    public static int eventfdSignal(final int fd)
    {
        final long result = raw(WRITE, fd, EVENTFD_ONE.address(), 8, 0, 0, 0);
        return result < 0 ? (int)result : 0;
    }

    /** @return the counter of eventfd {@code fd}, zeroing it; 0 when nothing was signalled ({@code EAGAIN}). */
    public static long eventfdRead(final int fd, final MemorySegment eightBytes)
    {
        final long result = raw(READ, fd, eightBytes.address(), 8, 0, 0, 0);
        return result == 8 ? eightBytes.get(JAVA_LONG, 0) : 0;
    }

    /** @return a new epoll instance ({@code epoll_create1(EPOLL_CLOEXEC)}). */
    public static int epollCreate()
    {
        return (int)check("epoll_create1", EPOLL_CREATE1, EPOLL_CLOEXEC, 0, 0);
    }

    /**
     * Adds {@code fd} to epoll instance {@code epfd} with {@code events} and {@code data}, using {@code scratch} (at
     * least {@link #EPOLL_EVENT_LENGTH} bytes) for the {@code struct epoll_event}.
     *
     * @throws LinuxException naming the call and errno.
     */
    public static void epollAdd(final int epfd, final int fd, final int events, final long data, final MemorySegment scratch)
    {
        scratch.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0, events);
        scratch.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_EVENT_DATA_OFFSET, data);
        check("epoll_ctl(ADD)", EPOLL_CTL, epfd, EPOLL_CTL_ADD, fd, scratch.address(), 0, 0);
    }

    /**
     * Changes the events and data of {@code fd} in {@code epfd} ({@code EPOLL_CTL_MOD}), using {@code scratch} as
     * {@link #epollAdd} does. Allocation-free. {@code events} 0 keeps the descriptor registered but reports nothing;
     * giving {@code EPOLLIN} back reports the descriptor at once if it is readable then (an eventfd whose counter was
     * ever written and never read is).
     *
     * @return 0 or {@code -errno} (ENOENT: not registered).
     */
    public static int epollModify(final int epfd, final int fd, final int events, final long data,
        final MemorySegment scratch)
    {
        scratch.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0, events);
        scratch.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_EVENT_DATA_OFFSET, data);
        return (int)raw(EPOLL_CTL, epfd, EPOLL_CTL_MOD, fd, scratch.address(), 0, 0);
    }

    /** Removes {@code fd} from {@code epfd}. @return 0 or {@code -errno} (ENOENT: not registered). */
    public static int epollDelete(final int epfd, final int fd)
    {
        return (int)raw(EPOLL_CTL, epfd, EPOLL_CTL_DEL, fd, 0, 0, 0);
    }

    /**
     * {@code epoll_pwait(epfd, events, maxEvents, timeoutMs, NULL)}: blocks until a registered descriptor is ready or
     * {@code timeoutMs} passed (0: returns at once). Allocation-free.
     *
     * @return ready events written to {@code events}, or {@code -errno} (EINTR).
     */
    public static int epollWait(final int epfd, final MemorySegment events, final int maxEvents, final int timeoutMs)
    {
        return (int)raw(EPOLL_PWAIT, epfd, events.address(), maxEvents, timeoutMs, 0, 8);
    }
}

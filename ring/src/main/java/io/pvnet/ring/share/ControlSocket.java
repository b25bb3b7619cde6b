package io.pvnet.ring.share;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

import static io.pvnet.ring.share.LinuxCalls.*;

/**
 * A {@code SOCK_SEQPACKET} Unix-domain socket (message boundaries kept, in order, connection-oriented) carrying control
 * messages with file descriptors ({@code SCM_RIGHTS}), and telling who the peer is ({@code SO_PEERCRED}). The death of
 * either end is seen by the other at once: a blocked {@link #receive} returns null (end of stream) as soon as the
 * kernel closes the peer's descriptor, whatever way it died.
 * <p>
 * Receiving follows unix(7)'s advice: {@code MSG_CMSG_CLOEXEC}, a truncated message or control part
 * ({@code MSG_CTRUNC}) closes every descriptor received and fails, more descriptors than the caller accepts are closed
 * and fail, so a hostile peer can neither leak descriptors into this process nor make it keep any it did not ask for.
 * <p>
 * Listening: {@link #listen} binds a pathname socket of mode 0600 (or 0666 when other users' guests may connect; the
 * credentials check decides who is served). An existing path is replaced only when it is this user's socket that
 * nobody listens on any more; anything else is refused. {@link #close()} of a listener removes the path only if it
 * still is the socket this process bound.
 * <p>
 * Threading: one thread may block in {@link #receive} or {@link #accept} while another calls {@link #send} or
 * {@link #shutdown}; {@link #shutdown} wakes a blocked receiver or acceptor.
 */
public final class ControlSocket implements AutoCloseable
{
    /** Largest message. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;
    /** Most descriptors in one message. */
    public static final int MAX_FDS = 8;

    private static final int MSGHDR_LENGTH = 56;
    private static final int CMSG_HEADER = 16;
    private static final int[] NO_FDS = new int[0];

    /**
     * One message received: its bytes and the descriptors that came with it (owned by the receiver).
     * @param data the message's bytes, exactly as sent.
     * @param fds the descriptors received with it ({@code SCM_RIGHTS}), new in this process; close them with {@link
     *     #closeFds()} or hand them on.
     */
    public record Message(byte[] data, int[] fds)
    {
        /** Closes every descriptor of the message. */
        public void closeFds()
        {
            for (final int fd : fds)
            {
                LinuxCalls.close(fd);
            }
        }
    }

    private final int fd;
    private final Path boundPath;
    private final Object boundKey;
    /**
     * Guards {@link #closed} with the shutdown and close syscalls (both quick, never blocking), so a shutdown from
     * another thread never reaches the descriptor after the close freed its number for reuse.
     */
    private final Object descriptorLock = new Object();
    private volatile boolean closed;

    private ControlSocket(final int fd, final Path boundPath, final Object boundKey)
    {
        this.fd = fd;
        this.boundPath = boundPath;
        this.boundKey = boundKey;
    }

    /**
     * Binds and listens on {@code path}.
     *
     * @param shared false: mode 0600 (only this user may connect); true: 0666 (peers are told apart by credentials).
     * @param path where the socket file is created (at most 107 bytes).
     * @return the listening socket, owned by the caller.
     * @throws IllegalStateException naming the path and the reason (in use by a live listener, not a socket, another
     *                               user's socket, path too long).
     */
    public static ControlSocket listen(final Path path, final boolean shared)
    {
        final byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > SUN_PATH_MAX)
        {
            throw new IllegalStateException(path + ": socket path longer than " + SUN_PATH_MAX + " bytes");
        }
        final int fd = socket();
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment address = socketAddress(arena, name);
            long result = raw(BIND, fd, address.address(), SOCKADDR_UN_LENGTH, 0, 0, 0);
            if (result == -EADDRINUSE)
            {
                removeStaleSocket(path);
                result = raw(BIND, fd, address.address(), SOCKADDR_UN_LENGTH, 0, 0, 0);
            }
            if (result < 0)
            {
                throw new IllegalStateException(path + ": cannot bind: " + LinuxException.name((int)-result));
            }
            final Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString(
                shared ? "rw-rw-rw-" : "rw-------"));
            check("listen", LISTEN, fd, 64, 0);
            return new ControlSocket(fd, path, key);
        }
        catch (final IOException ex)
        {
            LinuxCalls.close(fd);
            throw new IllegalStateException(path + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            LinuxCalls.close(fd);
            throw ex;
        }
    }

    /**
     * Connects to a listener at {@code path}.
     *
     * @param path the listener's socket file.
     * @return the connected socket, owned by the caller.
     * @throws LinuxException ENOENT when nothing is there, ECONNREFUSED when nobody listens, EACCES without permission.
     */
    public static ControlSocket connect(final Path path)
    {
        final byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > SUN_PATH_MAX)
        {
            throw new IllegalStateException(path + ": socket path longer than " + SUN_PATH_MAX + " bytes");
        }
        final int fd = socket();
        try (Arena arena = Arena.ofConfined())
        {
            check("connect " + path, CONNECT, fd, socketAddress(arena, name).address(), SOCKADDR_UN_LENGTH);
            return new ControlSocket(fd, null, null);
        }
        catch (final RuntimeException ex)
        {
            LinuxCalls.close(fd);
            throw ex;
        }
    }

    /** {@return two connected sockets ({@code socketpair(2)}), for tests and in-process use} */
    public static ControlSocket[] pair()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment fds = arena.allocate(8);
            check("socketpair", SOCKETPAIR, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds.address(), 0, 0);
            return new ControlSocket[] {
                new ControlSocket(fds.get(ValueLayout.JAVA_INT, 0), null, null),
                new ControlSocket(fds.get(ValueLayout.JAVA_INT, 4), null, null)};
        }
    }

    /**
     * Waits for a connection.
     *
     * @return the connection, or null once this listener is shut down or closed.
     */
    public ControlSocket accept()
    {
        while (!closed)
        {
            final long result = raw(ACCEPT4, fd, 0, 0, SOCK_CLOEXEC, 0, 0);
            if (result >= 0)
            {
                return new ControlSocket((int)result, null, null);
            }
            if (result != -EINTR && result != -11 && result != -103 /* ECONNABORTED */)
            {
                if (closed || result == -EINVAL || result == -9)
                {
                    return null; // shut down (EINVAL) or closed (EBADF)
                }
                throw new LinuxException("accept4", (int)-result);
            }
        }
        return null;
    }

    /** {@return the peer as of connect ({@code SO_PEERCRED})} */
    public PeerCredentials peer()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment ucred = arena.allocate(12);
            final MemorySegment length = arena.allocate(4);
            length.set(ValueLayout.JAVA_INT, 0, 12);
            check("getsockopt(SO_PEERCRED)", GETSOCKOPT, fd, SOL_SOCKET, SO_PEERCRED, ucred.address(), length.address(), 0);
            return new PeerCredentials(ucred.get(ValueLayout.JAVA_INT, 0), ucred.get(ValueLayout.JAVA_INT, 4),
                ucred.get(ValueLayout.JAVA_INT, 8));
        }
    }

    /**
     * Sends one message with {@code fds} attached (duplicated into the peer; still owned here).
     *
     * @param data the bytes, at most {@link #MAX_MESSAGE_BYTES}.
     * @param fds descriptors to pass, at most {@link #MAX_FDS}; still owned by the caller afterwards.
     * @throws LinuxException EPIPE / ECONNRESET when the peer is gone (never SIGPIPE).
     */
    public void send(final byte[] data, final int... fds)
    {
        sendmsg(data, fds, MSG_NOSIGNAL);
    }

    /**
     * Sends one message if the socket can take it now, never waiting: for a sender that serves many peers and must
     * not be held up by one that stopped reading.
     *
     * @param data the bytes, at most {@link #MAX_MESSAGE_BYTES}.
     * @return false, nothing sent, when the socket's buffer is full (the peer has not read what it was sent).
     * @throws LinuxException EPIPE / ECONNRESET when the peer is gone (never SIGPIPE).
     */
    public boolean trySend(final byte[] data)
    {
        return sendmsg(data, NO_FDS, MSG_NOSIGNAL | MSG_DONTWAIT);
    }

    /** {@return false when {@code flags} hold MSG_DONTWAIT and the buffer is full; else true once sent} */
    private boolean sendmsg(final byte[] data, final int[] fds, final int flags)
    {
        if (data.length == 0 || data.length > MAX_MESSAGE_BYTES || fds.length > MAX_FDS)
        {
            throw new IllegalArgumentException("message of " + data.length + " bytes with " + fds.length + " fds");
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment payload = arena.allocate(data.length);
            MemorySegment.copy(data, 0, payload, ValueLayout.JAVA_BYTE, 0, data.length);
            final MemorySegment iov = arena.allocate(16, 8);
            iov.set(ValueLayout.JAVA_LONG, 0, payload.address());
            iov.set(ValueLayout.JAVA_LONG, 8, data.length);
            final MemorySegment header = arena.allocate(MSGHDR_LENGTH, 8);
            header.set(ValueLayout.JAVA_LONG, 16, iov.address());
            header.set(ValueLayout.JAVA_LONG, 24, 1);
            if (fds.length > 0)
            {
                final int space = CMSG_HEADER + align(4 * fds.length);
                final MemorySegment control = arena.allocate(space, 8);
                control.set(ValueLayout.JAVA_LONG, 0, CMSG_HEADER + 4L * fds.length);
                control.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
                control.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++)
                {
                    control.set(ValueLayout.JAVA_INT, CMSG_HEADER + 4L * i, fds[i]);
                }
                header.set(ValueLayout.JAVA_LONG, 32, control.address());
                header.set(ValueLayout.JAVA_LONG, 40, space);
            }
            try
            {
                check("sendmsg", SENDMSG, fd, header.address(), flags);
                return true;
            }
            catch (final LinuxException ex)
            {
                if (ex.errno() == EAGAIN && (flags & MSG_DONTWAIT) != 0)
                {
                    return false; // once per guest that stopped reading: it is disconnected
                }
                throw ex;
            }
        }
    }

    /**
     * Waits for one message.
     *
     * @param maxFds descriptors the caller accepts with it; more fail the receive (all closed).
     * @return the message, or null at end of stream (the peer closed or died, or this socket was shut down).
     * @throws IllegalStateException for a truncated message or too many descriptors (every received fd closed).
     */
    public Message receive(final int maxFds)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment payload = arena.allocate(MAX_MESSAGE_BYTES + 1);
            final MemorySegment iov = arena.allocate(16, 8);
            iov.set(ValueLayout.JAVA_LONG, 0, payload.address());
            iov.set(ValueLayout.JAVA_LONG, 8, MAX_MESSAGE_BYTES + 1);
            final int space = CMSG_HEADER + align(4 * MAX_FDS);
            final MemorySegment control = arena.allocate(space, 8);
            final MemorySegment header = arena.allocate(MSGHDR_LENGTH, 8);
            header.set(ValueLayout.JAVA_LONG, 16, iov.address());
            header.set(ValueLayout.JAVA_LONG, 24, 1);
            header.set(ValueLayout.JAVA_LONG, 32, control.address());
            header.set(ValueLayout.JAVA_LONG, 40, space);
            long length;
            do
            {
                length = raw(RECVMSG, fd, header.address(), MSG_CMSG_CLOEXEC, 0, 0, 0);
            }
            while (length == -EINTR);
            if (length == 0 || length == -104 /* ECONNRESET */ || length == -9 /* EBADF: closed */)
            {
                return null;
            }
            if (length < 0)
            {
                throw new LinuxException("recvmsg", (int)-length);
            }
            final int[] fds = receivedFds(header, control);
            final int flags = header.get(ValueLayout.JAVA_INT, 48);
            if ((flags & MSG_CTRUNC) != 0 || length > MAX_MESSAGE_BYTES || fds.length > maxFds)
            {
                new Message(new byte[0], fds).closeFds();
                throw new IllegalStateException("refused a message of " + length + " bytes with " + fds.length +
                    " descriptors (accepting " + maxFds + ")" + ((flags & MSG_CTRUNC) != 0 ? ", truncated" : ""));
            }
            return new Message(payload.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), fds);
        }
    }

    /**
     * Waits at most {@code timeoutNs} until {@link #receive} (or, on a listener, {@link #accept}) would not block: a
     * message, the end of the stream, or a connection is there ({@code ppoll(2)}). A thread that must also watch for
     * something else (a stop) waits in slices of this instead of blocking in {@code recvmsg}, which nothing but the
     * peer or a {@link #shutdown} ends.
     *
     * @param timeoutNs the longest wait; 0 only looks.
     * @return true when ready, false when {@code timeoutNs} passed first.
     */
    public boolean awaitReady(final long timeoutNs)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment pollFd = arena.allocate(8, 4); // struct pollfd: int fd, short events, short revents
            pollFd.set(ValueLayout.JAVA_INT, 0, fd);
            pollFd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
            final MemorySegment timeout = arena.allocate(16, 8); // struct timespec
            final long start = System.nanoTime();
            long left = Math.max(0, timeoutNs);
            while (true)
            {
                timeout.set(ValueLayout.JAVA_LONG, 0, left / 1_000_000_000L);
                timeout.set(ValueLayout.JAVA_LONG, 8, left % 1_000_000_000L);
                final long ready = raw(PPOLL, pollFd.address(), 1, timeout.address(), 0, 8, 0);
                if (ready >= 0)
                {
                    return ready > 0; // POLLIN, or POLLHUP / POLLERR / POLLNVAL, which receive turns into null
                }
                if (ready != -EINTR)
                {
                    throw new LinuxException("ppoll", (int)-ready);
                }
                left = Math.max(0, timeoutNs - (System.nanoTime() - start));
            }
        }
    }

    private static int[] receivedFds(final MemorySegment header, final MemorySegment control)
    {
        final long controlLength = header.get(ValueLayout.JAVA_LONG, 40);
        int[] fds = new int[0];
        long at = 0;
        while (at + CMSG_HEADER <= controlLength)
        {
            final long cmsgLength = control.get(ValueLayout.JAVA_LONG, at);
            if (cmsgLength < CMSG_HEADER || at + cmsgLength > controlLength)
            {
                break;
            }
            if (control.get(ValueLayout.JAVA_INT, at + 8) == SOL_SOCKET &&
                control.get(ValueLayout.JAVA_INT, at + 12) == SCM_RIGHTS)
            {
                final int count = (int)((cmsgLength - CMSG_HEADER) / 4);
                final int before = fds.length;
                fds = Arrays.copyOf(fds, before + count);
                for (int i = 0; i < count; i++)
                {
                    fds[before + i] = control.get(ValueLayout.JAVA_INT, at + CMSG_HEADER + 4L * i);
                }
            }
            at += CMSG_HEADER + align((int)(cmsgLength - CMSG_HEADER));
        }
        return fds;
    }

    /**
     * Shuts the connection down both ways: a blocked {@link #receive} or {@link #accept} returns, a {@link #send}
     * blocked on a full socket buffer fails with EPIPE. The descriptor stays this socket's until {@link #close()};
     * after it, nothing (its number may already be another socket's). Any thread.
     */
    public void shutdown()
    {
        synchronized (descriptorLock)
        {
            if (!closed)
            {
                raw(SHUTDOWN, fd, SHUT_RDWR, 0, 0, 0, 0);
            }
        }
    }

    /** {@return the descriptor (for tests)} */
    public int fd()
    {
        return fd;
    }

    /**
     * Closes the socket; a listener also removes its path if it still is the socket bound here. Idempotent; any
     * thread.
     */
    @Override
    public void close()
    {
        synchronized (descriptorLock)
        {
            if (closed)
            {
                return;
            }
            raw(SHUTDOWN, fd, SHUT_RDWR, 0, 0, 0, 0);
            closed = true;
            LinuxCalls.close(fd);
        }
        if (boundPath != null)
        {
            try
            {
                final BasicFileAttributes now =
                    Files.readAttributes(boundPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (boundKey.equals(now.fileKey()))
                {
                    Files.delete(boundPath);
                }
            }
            catch (final IOException gone)
            {
                // already removed, or replaced by something that is not ours: leave it
            }
        }
    }

    private static void removeStaleSocket(final Path path)
    {
        try
        {
            final java.util.Map<String, Object> attributes = Files.readAttributes(path, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
            final int mode = (Integer)attributes.get("mode");
            final int uid = (Integer)attributes.get("uid");
            if ((mode & 0170000) != 0140000)
            {
                throw new IllegalStateException(path + ": exists and is not a socket; refusing to replace it");
            }
            if (uid != LinuxCalls.effectiveUid())
            {
                throw new IllegalStateException(path + ": a socket of uid " + uid + "; refusing to replace it");
            }
            try (ControlSocket probe = connect(path))
            {
                throw new IllegalStateException(path + ": in use: a live process listens there (peer pid " +
                    probe.peer().pid() + ")");
            }
            catch (final LinuxException refused)
            {
                if (refused.errno() != ECONNREFUSED)
                {
                    throw new IllegalStateException(path + ": cannot check the existing socket: " + refused.getMessage());
                }
            }
            Files.delete(path); // our own socket nobody listens on: left by a process that died
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(path + ": " + ex.getMessage(), ex);
        }
    }

    private static int socket()
    {
        return (int)check("socket", SOCKET, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    }

    private static MemorySegment socketAddress(final Arena arena, final byte[] name)
    {
        final MemorySegment address = arena.allocate(SOCKADDR_UN_LENGTH, 2);
        address.set(ValueLayout.JAVA_SHORT, 0, (short)AF_UNIX);
        MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, 2, name.length);
        return address;
    }

    private static int align(final int length)
    {
        return (length + 7) & ~7;
    }
}

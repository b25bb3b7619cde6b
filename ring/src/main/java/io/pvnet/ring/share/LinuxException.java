package io.pvnet.ring.share;

/** A Linux system call failed: the message names the call and errno ({@code memfd_create: errno=22 (EINVAL)}). */
public final class LinuxException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The errno the call failed with. */
    private final int errno;

    /**
     * A failure of {@code call} with {@code errno}.
     * @param call the system call's name.
     * @param errno the error number the kernel returned.
     */
    public LinuxException(final String call, final int errno)
    {
        super(call + ": errno=" + errno + " (" + name(errno) + ")");
        this.errno = errno;
    }

    /** {@return the errno value} */
    public int errno()
    {
        return errno;
    }

    static String name(final int errno)
    {
        return switch (errno)
        {
            case 1 -> "EPERM: operation not permitted";
            case 2 -> "ENOENT: no such file or directory";
            case 4 -> "EINTR";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 13 -> "EACCES: permission denied";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE: too many open files";
            case 32 -> "EPIPE: the peer closed the connection";
            case 98 -> "EADDRINUSE: address in use";
            case 104 -> "ECONNRESET: the peer reset the connection";
            case 111 -> "ECONNREFUSED: nobody listens there";
            default -> "errno " + errno;
        };
    }
}

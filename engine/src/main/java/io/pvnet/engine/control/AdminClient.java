package io.pvnet.engine.control;

import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.LinuxException;
import io.pvnet.ring.share.SealedMemory;

import java.nio.file.Path;
import java.util.Map;

/**
 * A tool's end of an administration connection to a switch ({@link AdminService}): the switch's counters mapped
 * read-only, a vif's store keys, ifconfig settings. Used by {@code pvnet stat} and {@code pvnet ifconfig}.
 * <p>
 * Threading: one thread.
 */
public final class AdminClient implements AutoCloseable
{
    private final ControlSocket socket;
    private final int switchPid;

    private AdminClient(final ControlSocket socket)
    {
        this.socket = socket;
        this.switchPid = socket.peer().pid();
    }

    /**
     * @param socket the switch's control socket ({@code REGION.sock}).
     * @throws LinuxException when nothing listens there (ENOENT, ECONNREFUSED) or it may not be reached (EACCES).
     */
    public static AdminClient connect(final Path socket)
    {
        return new AdminClient(ControlSocket.connect(socket));
    }

    /** @return the switch's pid, as the kernel saw it listen ({@code SO_PEERCRED}). */
    public int switchPid()
    {
        return switchPid;
    }

    /**
     * @return the switch's counters, mapped read-only (the memfd's seals are checked: only the switch can write it);
     *         close it when done.
     * @throws IllegalStateException with the switch's reason when it refuses.
     */
    public SealedMemory counters()
    {
        socket.send(AdminMessage.counters().encode());
        final ControlSocket.Message answer = socket.receive(1);
        final AdminMessage message = decode(answer);
        if (message.type() != AdminMessage.COUNTERS_FD || answer.fds().length != 1)
        {
            answer.closeFds();
            throw new IllegalStateException("unexpected answer from the switch: type=" + message.type());
        }
        return SealedMemory.adoptReadOnly(answer.fds()[0], message.lengthBytes());
    }

    /**
     * @return every key of vif {@code domid.handle} (its backend and frontend directories).
     * @throws IllegalStateException with the switch's reason (no such vif, not an administrator).
     */
    public Map<String, String> read(final int domid, final int handle)
    {
        socket.send(AdminMessage.read(domid, handle).encode());
        final AdminMessage message = decode(socket.receive(0));
        if (message.type() != AdminMessage.KEYS)
        {
            throw new IllegalStateException("unexpected answer from the switch: type=" + message.type());
        }
        return message.keys();
    }

    /**
     * Sets backend key {@code name} ({@link AdminService#SETTINGS}) of vif {@code domid.handle}.
     *
     * @throws IllegalStateException with the switch's reason when it refuses.
     */
    public void write(final int domid, final int handle, final String name, final String value)
    {
        socket.send(AdminMessage.write(domid, handle, name, value).encode());
        final AdminMessage message = decode(socket.receive(0));
        if (message.type() != AdminMessage.DONE)
        {
            throw new IllegalStateException("unexpected answer from the switch: type=" + message.type());
        }
    }

    private static AdminMessage decode(final ControlSocket.Message answer)
    {
        if (answer == null)
        {
            throw new IllegalStateException("the switch closed the connection");
        }
        final AdminMessage message;
        try
        {
            message = AdminMessage.decode(answer.data());
        }
        catch (final IllegalArgumentException ex)
        {
            answer.closeFds();
            throw new IllegalStateException("bad answer from the switch: " + ex.getMessage());
        }
        if (message.type() == AdminMessage.ERROR)
        {
            answer.closeFds();
            throw new IllegalStateException("the switch refused: " + message.value());
        }
        return message;
    }

    @Override
    public void close()
    {
        socket.close();
    }
}

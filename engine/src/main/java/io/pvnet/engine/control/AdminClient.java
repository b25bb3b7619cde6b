package io.pvnet.engine.control;

import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.LinuxException;
import io.pvnet.ring.share.SealedMemory;

import java.nio.file.Path;
import java.util.Map;

/**
 * A tool's end of an administration connection to a switch ({@link AdminService}): the switch's counters mapped
 * read-only, a vif's store keys, ifconfig settings. Used by {@code pvnet stat} and {@code pvnet ifconfig}.
 * <p>
 * The process serving the socket may be a {@code pvnet switch} or a {@code pvnet vif-run}: its messages name it as its
 * region's header does ({@link #processKind()}), so a refusal reads {@code the switch refused: ...} or
 * {@code the vif-run process refused: ...}.
 * <p>
 * Threading: one thread.
 */
public final class AdminClient implements AutoCloseable
{
    private final ControlSocket socket;
    private final int switchPid;
    private final String processKind;
    /** The peer as the messages name it: "the switch", "the vif-run process". */
    private final String peer;

    private AdminClient(final ControlSocket socket, final Path socketPath, final Path region)
    {
        this.socket = socket;
        this.switchPid = socket.peer().pid();
        this.processKind = ProcessKind.ofRegion(region, switchPid);
        this.peer = ProcessKind.peer(processKind, socketPath);
    }

    /**
     * Connects to the control socket of the region at {@code REGION} when {@code socket} is {@code REGION.sock} (as
     * {@code pvnet switch} and {@code pvnet vif-run} name it), naming the process from that region's header.
     *
     * @param socket the switch's control socket ({@code REGION.sock}).
     * @throws LinuxException when nothing listens there (ENOENT, ECONNREFUSED) or it may not be reached (EACCES).
     */
    public static AdminClient connect(final Path socket)
    {
        return connect(socket, ProcessKind.regionOf(socket));
    }

    /**
     * @param socket the control socket.
     * @param region the region (status file) whose creator serves {@code socket}, or null when not known.
     * @throws LinuxException when nothing listens there (ENOENT, ECONNREFUSED) or it may not be reached (EACCES).
     */
    public static AdminClient connect(final Path socket, final Path region)
    {
        return new AdminClient(ControlSocket.connect(socket), socket, region);
    }

    /**
     * @return what the process serving the socket is, as its region's header records it
     *         ({@link RegionDescriptor#ROLE_SWITCH}, {@link RegionDescriptor#ROLE_VIF_RUN}) when that region's creator
     *         is that process (read from its header without mapping it, {@link Region#readCreatorRole}); else
     *         {@link RegionDescriptor#ROLE_UNKNOWN} (no region, one made before roles were recorded, one another
     *         process made, or a file that cannot be read).
     */
    public String processKind()
    {
        return processKind;
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
            throw new IllegalStateException("unexpected answer from " + peer + ": type=" + message.type());
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
            throw new IllegalStateException("unexpected answer from " + peer + ": type=" + message.type());
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
            throw new IllegalStateException("unexpected answer from " + peer + ": type=" + message.type());
        }
    }

    private AdminMessage decode(final ControlSocket.Message answer)
    {
        if (answer == null)
        {
            throw new IllegalStateException(peer + " closed the connection");
        }
        final AdminMessage message;
        try
        {
            message = AdminMessage.decode(answer.data());
        }
        catch (final IllegalArgumentException ex)
        {
            answer.closeFds();
            throw new IllegalStateException("bad answer from " + peer + ": " + ex.getMessage());
        }
        if (message.type() == AdminMessage.ERROR)
        {
            answer.closeFds();
            throw new IllegalStateException(peer + " refused: " + message.value());
        }
        return message;
    }

    @Override
    public void close()
    {
        socket.close();
    }
}

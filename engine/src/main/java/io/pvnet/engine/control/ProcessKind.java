package io.pvnet.engine.control;

import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionDescriptor;

import java.nio.file.Path;

/**
 * What the process serving a control socket is, and how messages name it. Its kind is the role its region's header
 * records ({@link RegionDescriptor#ROLE_SWITCH}, {@link RegionDescriptor#ROLE_VIF_RUN}) or, for a process without a
 * status file, its pvnet command ({@code bench}, {@code latency}); {@link RegionDescriptor#ROLE_UNKNOWN} when not
 * known ({@link #ofRole}).
 * The serving side says {@code this switch}, {@code this vif-run process}, {@code this bench process}
 * ({@link AdminService}, {@link GuestControlServer}); the connecting side says {@link #peer}: {@code the switch},
 * {@code the vif-run process}, or {@code the process serving NAME.sock} ({@link AdminClient}); {@code the switch},
 * {@code the bench process} ({@link GuestControlClient}, {@code pvnet guest}: only switches and bench hosts serve
 * guests).
 * <p>
 * Where the connecting side learns the kind: a tool from the header of the region file ({@code REGION} for the socket
 * {@code REGION.sock}), read without mapping it, when the process serving the socket created it ({@code ofRegion});
 * an attached guest, which maps only its share, from the share's header, where the host records its kind
 * ({@link GuestShare#create}). A guest never reads the region file: before its first share it names the host as a
 * switch, as {@code --region} documents.
 * <p>
 * Threading: stateless, any thread.
 */
public final class ProcessKind
{
    /** What {@code pvnet switch} and {@code pvnet vif-run} name their control socket: the region's path and this. */
    private static final String SOCKET_SUFFIX = ".sock";

    private ProcessKind()
    {
    }

    /**
     * @param socket a control socket.
     * @return the region beside it whose creator serves it when it is named {@code REGION.sock}, as
     *         {@code pvnet switch} and {@code pvnet vif-run} name it; else null.
     */
    static Path regionOf(final Path socket)
    {
        final String name = socket.getFileName().toString();
        return name.endsWith(SOCKET_SUFFIX) && name.length() > SOCKET_SUFFIX.length() ?
            socket.resolveSibling(name.substring(0, name.length() - SOCKET_SUFFIX.length())) : null;
    }

    /**
     * @param role a creator role as a region's header holds it ({@link Region#creatorRole()}): "" for none.
     * @return the kind it says: {@code role}, or {@link RegionDescriptor#ROLE_UNKNOWN} for "".
     */
    public static String ofRole(final String role)
    {
        return role.isEmpty() ? RegionDescriptor.ROLE_UNKNOWN : role;
    }

    /**
     * Reads the kind from the header of the region file, without mapping it ({@link Region#readCreatorRole}).
     *
     * @param region     the region file, or null when there is none.
     * @param servingPid the pid of the process serving its socket ({@code SO_PEERCRED}), which must be the region's
     *                   creator.
     * @return the role in its header, or {@link RegionDescriptor#ROLE_UNKNOWN} (no region, one made before roles were
     *         recorded, one another process made, or a file that cannot be read).
     */
    static String ofRegion(final Path region, final long servingPid)
    {
        return ofRole(region == null ? "" : Region.readCreatorRole(region, servingPid));
    }

    /**
     * @param kind   the process kind ({@link RegionDescriptor#ROLE_UNKNOWN} when not known).
     * @param socket the control socket it serves.
     * @return the process as a connecting side's messages name it: {@code the switch}, {@code the vif-run process},
     *         {@code the bench process}; {@code the process serving NAME.sock} for an unknown kind.
     */
    public static String peer(final String kind, final Path socket)
    {
        return kind.equals(RegionDescriptor.ROLE_UNKNOWN) ? "the process serving " + socket.getFileName() :
            "the " + noun(kind);
    }

    /**
     * @param kind the process kind: a region role ({@code switch}, {@code vif-run}) or a pvnet command ({@code bench},
     *             {@code latency}).
     * @return the process as messages name it after "this" or "the": {@code switch}, {@code vif-run process},
     *         {@code bench process}.
     */
    static String noun(final String kind)
    {
        return kind.equals(RegionDescriptor.ROLE_SWITCH) ? kind : kind + " process";
    }

    /**
     * @param kind the process kind: a region role ({@code switch}, {@code vif-run}) or a pvnet command ({@code bench},
     *             {@code latency}).
     * @return the log lines' prefix: {@code pvnet switch}, {@code pvnet vif-run}, {@code pvnet bench}.
     */
    static String command(final String kind)
    {
        return "pvnet " + kind;
    }
}

package io.pvnet.engine.control;

import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.LinuxException;
import io.pvnet.ring.share.PeerCredentials;
import io.pvnet.ring.share.SealedMemory;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The switch's answers to its administrator's tools on the control socket ({@link AdminMessage}): the counters as a
 * memfd only the switch writes ({@code pvnet stat} maps it read-only), a vif's store keys, and the ifconfig settings
 * of a vif's backend ({@code pvnet ifconfig}). Nothing else of the switch's memory leaves the process this way.
 * {@code pvnet vif-run} serves the same; every refusal and log line names the process as it is ({@code this switch},
 * {@code this vif-run process}), as {@link AdminClient} names its peer.
 * <p>
 * Served only to the process's own uid and root ({@code SO_PEERCRED}); anyone else gets one ERROR and the connection
 * is closed. Writes are limited to {@link #SETTINGS} under an existing vif's backend directory, each value checked as the
 * backend itself would (the backend checks again when it reads it).
 * <p>
 * Threading: {@link #serve} on a control connection's thread (one per connection); the store is the multi-writer
 * seqlocked {@link XenStore}.
 */
public final class AdminService
{
    /** The backend keys an administrator may set: ifconfig's. */
    public static final Set<String> SETTINGS = Set.of("mtu", "mac", "txcsum", "rxcsum", "tso");

    private final XenStore store;
    private final SealedMemory counters;
    private final int adminUid;
    private final PrintStream log;
    /** The process in refusals: "this switch", "this vif-run process". */
    private final String self;
    /** The log lines' prefix: "pvnet switch", "pvnet vif-run". */
    private final String command;
    private final AtomicLong refused = new AtomicLong();
    /** Told the vif (domid) of each setting written: the switch wakes its host thread, which may sleep 2 s. */
    private volatile java.util.function.IntConsumer written = domid -> { };

    /**
     * A switch's service ({@link RegionDescriptor#ROLE_SWITCH}).
     *
     * @param store    the switch's store.
     * @param counters the switch's counters, created with {@link SealedMemory#createWrittenByCreatorOnly}.
     * @param adminUid the uid allowed besides root (the switch's own).
     * @param log      where refusals go (one line each, at most one per 1,000).
     */
    public AdminService(final XenStore store, final SealedMemory counters, final int adminUid, final PrintStream log)
    {
        this(store, counters, adminUid, RegionDescriptor.ROLE_SWITCH, log);
    }

    /**
     * @param store    the process's store.
     * @param counters the process's counters, created with {@link SealedMemory#createWrittenByCreatorOnly}.
     * @param adminUid the uid allowed besides root (the process's own).
     * @param kind     what the serving process is, as its region's header records it:
     *                 {@link RegionDescriptor#ROLE_SWITCH} or {@link RegionDescriptor#ROLE_VIF_RUN}; refusals name it
     *                 ({@code this switch}, {@code this vif-run process}).
     * @param log      where refusals go (one line each, at most one per 1,000).
     */
    public AdminService(final XenStore store, final SealedMemory counters, final int adminUid, final String kind,
        final PrintStream log)
    {
        this.store = store;
        this.counters = counters;
        this.adminUid = adminUid;
        this.self = "this " + ProcessKind.noun(kind);
        this.command = ProcessKind.command(kind);
        this.log = log;
    }

    /** @return administrator connections refused (another uid). */
    public long refused()
    {
        return refused.get();
    }

    /**
     * Serves one tool's connection until it closes.
     *
     * @param first the connection's first message (an {@link AdminMessage}, see {@link AdminMessage#isAdmin}).
     * @throws IllegalArgumentException on a malformed message (the caller closes the connection and counts it).
     */
    public void serve(final ControlSocket connection, final PeerCredentials peer, final byte[] first)
    {
        if (peer.uid() != adminUid && peer.uid() != 0)
        {
            if (refused.incrementAndGet() % 1_000 == 1)
            {
                log.println(command + ": refused administration by pid " + peer.pid() + " uid " + peer.uid() +
                    " (" + refused.get() + " so far)");
            }
            send(connection, AdminMessage.error("uid " + peer.uid() + " may not administer " + self + " (uid " +
                adminUid + ")"));
            return;
        }
        byte[] bytes = first;
        while (bytes != null)
        {
            answer(connection, AdminMessage.decode(bytes));
            final ControlSocket.Message next = connection.receive(0);
            bytes = next == null ? null : next.data();
        }
    }

    private void answer(final ControlSocket connection, final AdminMessage request)
    {
        switch (request.type())
        {
            case AdminMessage.COUNTERS -> connection.send(AdminMessage.countersFd(counters.lengthBytes()).encode(),
                counters.fd());
            case AdminMessage.READ -> send(connection, read(request.domid(), request.handle()));
            case AdminMessage.WRITE -> send(connection, write(request));
            default -> throw new IllegalArgumentException("unexpected admin message type=" + request.type());
        }
    }

    private AdminMessage read(final int domid, final int handle)
    {
        final String backend = "backend/vif/" + domid + "/" + handle + "/";
        final String frontend = "device/vif/" + domid + "/" + handle + "/";
        final Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < store.entryCount() && keys.size() < AdminMessage.MAX_KEYS; i++)
        {
            final String key = store.keyAt(i);
            if (key != null && (key.startsWith(backend) || key.startsWith(frontend)))
            {
                final String value = store.read(key);
                if (value != null)
                {
                    keys.put(key, value);
                }
            }
        }
        return keys.isEmpty() ? AdminMessage.error("no " + VifConfig.name(domid, handle) + " on " + self) :
            AdminMessage.keys(keys);
    }

    private AdminMessage write(final AdminMessage request)
    {
        final String dir = "backend/vif/" + request.domid() + "/" + request.handle();
        if (store.read(dir + "/state") == null)
        {
            return AdminMessage.error("no " + VifConfig.name(request.domid(), request.handle()) + " on " + self);
        }
        final String problem = check(request.name(), request.value());
        if (problem != null)
        {
            return AdminMessage.error(problem);
        }
        if (store.write(dir + "/" + request.name(), request.value()) != XenStore.OK)
        {
            return AdminMessage.error("could not write " + dir + "/" + request.name());
        }
        written.accept(request.domid());
        return AdminMessage.done();
    }

    /**
     * Calls {@code listener} with the vif's domid after each setting written (the connection's thread): the
     * {@link GuestControlServer} serving this wakes the vif's host thread, so the setting applies now, not at its next
     * timer. Configuration time.
     */
    void onWrite(final java.util.function.IntConsumer listener)
    {
        this.written = listener;
    }

    /** @return null when {@code name=value} is a valid setting, else why not. */
    static String check(final String name, final String value)
    {
        if (!SETTINGS.contains(name))
        {
            return "not a setting: " + name + " (" + String.join(", ", SETTINGS) + ")";
        }
        switch (name)
        {
            case "mtu" ->
            {
                try
                {
                    VifConfig.checkMtu(Integer.parseInt(value));
                    return value.equals(Integer.toString(Integer.parseInt(value))) ? null : "mtu=" + value;
                }
                catch (final IllegalArgumentException ex)
                {
                    return "mtu=" + value + " must be in " + VifConfig.MIN_MTU + ".." + VifConfig.MAX_MTU;
                }
            }
            case "mac" ->
            {
                final long mac = VifConfig.parseMac(value);
                return mac < 0 ? "mac=" + value + " is not xx:xx:xx:xx:xx:xx" :
                    VifConfig.macProblem(mac) != null ? "mac=" + value + " " + VifConfig.macProblem(mac) : null;
            }
            default ->
            {
                return value.equals("0") || value.equals("1") ? null : name + "=" + value + " must be 0 or 1";
            }
        }
    }

    private static void send(final ControlSocket connection, final AdminMessage message)
    {
        try
        {
            connection.send(message.encode());
        }
        catch (final LinuxException gone)
        {
            // the tool did not wait for the answer
        }
    }
}

package io.pvnet.perf.cli.engine;

import io.pvnet.engine.netif.NetifKeys;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.store.StoreDescriptor;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.engine.control.AdminClient;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.share.LinuxException;
import io.pvnet.ring.region.RegionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Unmatched;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code pvnet ifconfig REGION VIF [mtu N] [lladdr MAC] [txcsum|-txcsum] [rxcsum|-rxcsum] [tso|-tso]}: changes a running
 * vif backend from another process (through its XenStore directory; the backend applies a change from the next frame)
 * and prints the interface as ifconfig would.
 */
@Command(name = "ifconfig", mixinStandardHelpOptions = true,
    description = "Show or change a running vif: mtu N, lladdr MAC, txcsum|-txcsum, rxcsum|-rxcsum, tso|-tso.")
public final class IfconfigCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "REGION", description = "Region file path, or name under /dev/shm/pvnet-NAME.")
    String region;

    @Parameters(index = "1", paramLabel = "VIF", description = "The vif as dom0 names it: vif1.0 (also vif1, 1.0, xnb1.0).")
    String vif;

    @Parameters(index = "2..*", paramLabel = "CHANGE", description = "mtu N | lladdr MAC | [-]txcsum | [-]rxcsum | [-]tso")
    List<String> changes = new ArrayList<>();

    /** {@code -txcsum}, {@code -rxcsum}, {@code -tso} look like options to picocli: they arrive here. */
    @Unmatched
    List<String> negations = new ArrayList<>();

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call()
    {
        final int[] id = RegionArgument.vif(vif);
        if (id == null)
        {
            err.println("pvnet ifconfig: vif=" + vif + " must be vifDOMID.HANDLE (vif1.0; also vif1, 1.0, xnb1.0)");
            return 2;
        }
        final Path socket = RegionArgument.controlSocket(RegionArgument.path(region));
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS))
        {
            return throughSwitch(socket, id[0], id[1]);
        }
        try (Region opened = Region.open(RegionArgument.path(region)))
        {
            final XenStore store = VifRegion.attach(opened).store();
            final String dir = "backend/vif/" + id[0] + "/" + id[1];
            if (store.read(dir + "/state") == null)
            {
                err.println("pvnet ifconfig: no " + VifConfig.name(id[0], id[1]) + " in region " + region);
                return 1;
            }
            final String problem = apply(store, dir);
            if (problem != null)
            {
                err.println("pvnet ifconfig: " + problem);
                return 2;
            }
            print(store, id[0], id[1]);
            return 0;
        }
        catch (final RegionException | IllegalStateException ex)
        {
            err.println("pvnet ifconfig: " + ex.getMessage() + RegionArgument.missingHint(region));
            return 1;
        }
    }

    /**
     * A running switch: the settings are sent over its control socket (administrators only: the switch's uid or
     * root), which checks and applies them; the vif's keys come back the same way. Nothing of the switch is mapped.
     */
    private int throughSwitch(final Path socket, final int domid, final int handle)
    {
        try (AdminClient admin = AdminClient.connect(socket, RegionArgument.path(region)))
        {
            final Map<String, String> before = admin.read(domid, handle);
            if (!before.containsKey("backend/vif/" + domid + "/" + handle + "/state"))
            {
                err.println("pvnet ifconfig: no " + VifConfig.name(domid, handle) + " in region " + region);
                return 1;
            }
            final Map<String, String> writes = new LinkedHashMap<>();
            final String problem = settings(writes);
            if (problem != null)
            {
                err.println("pvnet ifconfig: " + problem);
                return 2;
            }
            for (final var entry : writes.entrySet())
            {
                admin.write(domid, handle, entry.getKey(), entry.getValue());
            }
            final XenStore copy = XenStore.create(new UnsafeBuffer(
                ByteBuffer.allocateDirect(StoreDescriptor.length(1024))), 1024);
            for (final var entry : admin.read(domid, handle).entrySet())
            {
                copy.write(entry.getKey(), entry.getValue());
            }
            print(copy, domid, handle);
            return 0;
        }
        catch (final LinuxException | IllegalStateException ex)
        {
            err.println("pvnet ifconfig: region " + region + ": " + ex.getMessage() + RegionArgument.notRunningHint(ex));
            return 1;
        }
    }

    /** @return null, or what is wrong with the arguments (nothing is written then). */
    private String apply(final XenStore store, final String dir)
    {
        final LinkedHashMap<String, String> writes = new LinkedHashMap<>();
        final String problem = settings(writes);
        if (problem != null)
        {
            return problem;
        }
        for (final var entry : writes.entrySet())
        {
            if (store.write(dir + "/" + entry.getKey(), entry.getValue()) != XenStore.OK)
            {
                return "could not write " + dir + "/" + entry.getKey();
            }
        }
        return null;
    }

    /** Parses the changes into {@code writes} (backend key -> value). @return null, or what is wrong with them. */
    private String settings(final Map<String, String> writes)
    {
        final List<String> changes = new ArrayList<>(this.changes);
        changes.addAll(negations);
        for (int i = 0; i < changes.size(); i++)
        {
            final String word = changes.get(i);
            switch (word)
            {
                case "mtu" ->
                {
                    if (i + 1 >= changes.size())
                    {
                        return "mtu needs a value";
                    }
                    final String value = changes.get(++i);
                    try
                    {
                        VifConfig.checkMtu(Integer.parseInt(value));
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        return "mtu=" + value + " must be in " + VifConfig.MIN_MTU + ".." + VifConfig.MAX_MTU;
                    }
                    writes.put("mtu", Integer.toString(Integer.parseInt(value)));
                }
                case "lladdr", "ether" ->
                {
                    final long mac = i + 1 < changes.size() ? VifConfig.parseMac(changes.get(i + 1)) : -1;
                    if (mac < 0)
                    {
                        return "lladdr needs a MAC as xx:xx:xx:xx:xx:xx";
                    }
                    final String problem = VifConfig.macProblem(mac);
                    if (problem != null)
                    {
                        // as ip link set address: a multicast or broadcast address is no interface's own
                        return "lladdr " + changes.get(i + 1) + " " + problem;
                    }
                    writes.put("mac", VifConfig.formatMac(mac));
                    i++;
                }
                case "txcsum", "rxcsum", "tso" -> writes.put(word, "1");
                case "-txcsum", "-rxcsum", "-tso" -> writes.put(word.substring(1), "0");
                default ->
                {
                    return "unknown change '" + word + "' (mtu N | lladdr MAC | [-]txcsum | [-]rxcsum | [-]tso)";
                }
            }
        }
        return null;
    }

    private void print(final XenStore store, final int domid, final int handle)
    {
        final String backend = "backend/vif/" + domid + "/" + handle;
        final String frontend = "device/vif/" + domid + "/" + handle;
        final XenbusState state = store.readState(backend);
        final boolean running = state == XenbusState.CONNECTED && store.read(backend + "/error") == null;
        final StringBuilder options = new StringBuilder();
        appendOption(options, store, backend + "/rxcsum", "RXCSUM");
        appendOption(options, store, backend + "/txcsum", "TXCSUM");
        appendOption(options, store, backend + "/tso", "TSO4");
        out.println(VifConfig.name(domid, handle) + ": flags=<UP,BROADCAST" + (running ? ",RUNNING" : "") +
            ",SIMPLEX,MULTICAST> mtu " + store.read(backend + "/mtu"));
        out.println("\toptions=<" + options + ">");
        // the dom0 side's address: Linux netback's fe:ff:ff:ff:ff:ff until lladdr sets one (backend/mac, all zero
        // when unset); the guest's own MAC is on the guest line, from the key its netfront wrote
        final long mac = VifConfig.parseMac(store.read(backend + "/mac"));
        out.println("\tether " + (mac > 0 ? VifConfig.formatMac(mac) : "fe:ff:ff:ff:ff:ff") + " (dom0 side)");
        out.println("\tstatus: " + (running ? "active" : "no carrier") + " (backend " + state + ", frontend " +
            store.readState(frontend) + ")");
        final String error = store.read(backend + "/error");
        if (error != null)
        {
            out.println("\terror: " + error);
        }
        out.println("\t" + queues(store, backend, frontend, state));
        final String hash = store.read(backend + "/hash");
        final String multicast = store.read(backend + "/multicast-filter");
        out.println("\thash: " + (hash == null ? "none" : hash) + " (control ring " +
            (store.read(frontend + "/ctrl-ring-ref") == null ? "not used" : "ctrl-ring-ref " +
                store.read(frontend + "/ctrl-ring-ref")) + ")");
        out.println("\tmulticast filter: " + (multicast == null ? "off 0" : multicast));
        out.println("\t" + guest(store, frontend));
    }

    /**
     * {@return the guest line: the MAC and offload features its netfront wrote, or that none is attached (a guest
     * that left has its frontend keys removed; a key it never wrote shows as {@code -})}
     */
    static String guest(final XenStore store, final String frontend)
    {
        final String mac = store.read(frontend + "/mac");
        if (mac == null)
        {
            return "guest: none attached";
        }
        final StringBuilder line = new StringBuilder("guest: ether ").append(mac);
        for (final String feature : new String[] {"feature-sg", "feature-gso-tcpv4", "feature-no-csum-offload"})
        {
            final String value = store.read(frontend + "/" + feature);
            line.append(' ').append(feature).append(' ').append(value == null ? "-" : value);
        }
        return line.toString();
    }

    /**
     * {@return the queue line: the queues connected (the frontend's {@code multi-queue-num-queues}, 1 without it), the
     * backend's maximum, and whether the frontend gave each direction its own event channel}
     */
    static String queues(final XenStore store, final String backend, final String frontend, final XenbusState state)
    {
        final String max = store.read(backend + "/" + NetifKeys.MULTI_QUEUE_MAX_QUEUES);
        if (state != XenbusState.CONNECTED)
        {
            return "queues: none connected (max " + (max == null ? "1" : max) + ")";
        }
        final long queues = store.readNumber(frontend + "/" + NetifKeys.MULTI_QUEUE_NUM_QUEUES, 4, false, 1);
        final String first = NetifKeys.queueDir(frontend, 0, (int)Math.max(1, queues));
        final boolean split = store.read(first + "/" + NetifKeys.EVENT_CHANNEL_TX) != null &&
            store.read(first + "/" + NetifKeys.EVENT_CHANNEL_RX) != null;
        return "queues: " + queues + " (max " + (max == null ? "1" : max) + "), event channels " +
            (split ? "split tx/rx" : "one per queue");
    }

    private static void appendOption(final StringBuilder options, final XenStore store, final String key, final String name)
    {
        if (store.readFlag(key))
        {
            options.append(options.length() == 0 ? "" : ",").append(name);
        }
    }
}

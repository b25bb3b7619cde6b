package io.pvnet.engine.xnb;

import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.store.XenStore;

import static io.pvnet.engine.netif.NetifKeys.MAC;
import static io.pvnet.engine.netif.NetifKeys.MTU;
import static io.pvnet.engine.netif.NetifKeys.RXCSUM;
import static io.pvnet.engine.netif.NetifKeys.TSO;
import static io.pvnet.engine.netif.NetifKeys.TXCSUM;

/**
 * The runtime ifconfig state of a backend interface, kept in XenStore under the backend directory so another process
 * ({@code pvnet ifconfig}) can change it while traffic runs: {@code mtu}, {@code mac}, {@code txcsum}, {@code rxcsum},
 * {@code tso}. The backend reloads it when the store changes, so a change applies from the next frame.
 * <p>
 * As on FreeBSD's xnb, directions are the interface's: {@code txcsum}/{@code tso} are offloads on frames the backend
 * transmits <em>to</em> the guest (pass csum_blank / GSO through when on, complete / segment in software when off);
 * {@code rxcsum} is about frames received <em>from</em> the guest (on: keep their checksum offloaded downstream; off:
 * complete it at ingress).
 */
public final class InterfaceSettings
{
    int mtu;
    long mac;
    boolean txcsum = true;
    boolean rxcsum = true;
    boolean tso = true;
    /** MACs from the store refused ({@link VifConfig#macProblem}: a group address no interface may own), counted once each. */
    long refusedMacs;
    private long lastRefusedMac = -1;

    public int mtu()
    {
        return mtu;
    }

    public long mac()
    {
        return mac;
    }

    public boolean txcsum()
    {
        return txcsum;
    }

    public boolean rxcsum()
    {
        return rxcsum;
    }

    public boolean tso()
    {
        return tso;
    }

    /** Writes the initial settings of a backend. */
    public static void publish(final XenStore store, final String backendDir, final VifConfig config)
    {
        store.write(backendDir + "/" + MTU, config.mtu());
        store.write(backendDir + "/" + MAC, VifConfig.formatMac(0));
        store.write(backendDir + "/" + TXCSUM, 1);
        store.write(backendDir + "/" + RXCSUM, 1);
        store.write(backendDir + "/" + TSO, 1);
    }

    /** {@return MACs from the store refused as a group address (each value counted once in a row)} */
    public long refusedMacs()
    {
        return refusedMacs;
    }

    /**
     * Reloads from the store; unreadable or out-of-range values keep the current setting, and so does a group MAC
     * (refused as {@code ifconfig lladdr} refuses it: a store written by hand or by another tool can hold one).
     *
     * @return the line saying a MAC was refused, the first time that value is met (then null until another), or null.
     */
    public String reload(final XenStore store, final String backendDir)
    {
        String refusal = null;
        final long newMtu = store.readNumber(backendDir + "/" + MTU, 4, false, -1);
        if (newMtu >= VifConfig.MIN_MTU && newMtu <= VifConfig.MAX_MTU)
        {
            mtu = (int)newMtu;
        }
        final long newMac = VifConfig.parseMac(store.read(backendDir + "/" + MAC));
        final String problem = newMac >= 0 ? VifConfig.macProblem(newMac) : null;
        if (problem != null)
        {
            if (newMac != lastRefusedMac)
            {
                lastRefusedMac = newMac;
                refusedMacs++;
                refusal = backendDir + "/" + MAC + "=" + VifConfig.formatMac(newMac) + " " + problem + ": keeping "
                    + VifConfig.formatMac(mac);
            }
        }
        else if (newMac >= 0)
        {
            mac = newMac;
            lastRefusedMac = -1;
        }
        txcsum = readSwitch(store, backendDir + "/" + TXCSUM, txcsum);
        rxcsum = readSwitch(store, backendDir + "/" + RXCSUM, rxcsum);
        tso = readSwitch(store, backendDir + "/" + TSO, tso);
        return refusal;
    }

    private static boolean readSwitch(final XenStore store, final String key, final boolean current)
    {
        final long value = store.readNumber(key, 1, false, -1);
        return value == 0 || value == 1 ? value == 1 : current;
    }
}

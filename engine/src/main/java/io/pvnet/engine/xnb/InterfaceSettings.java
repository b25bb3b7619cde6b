package io.pvnet.engine.xnb;

import io.pvnet.engine.VifConfig;
import io.pvnet.engine.store.XenStore;

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
        store.write(backendDir + "/mtu", config.mtu());
        store.write(backendDir + "/mac", VifConfig.formatMac(0));
        store.write(backendDir + "/txcsum", 1);
        store.write(backendDir + "/rxcsum", 1);
        store.write(backendDir + "/tso", 1);
    }

    /** Reloads from the store; unreadable or out-of-range values keep the current setting. */
    public void reload(final XenStore store, final String backendDir)
    {
        final long newMtu = store.readNumber(backendDir + "/mtu", 4, false, -1);
        if (newMtu >= VifConfig.MIN_MTU && newMtu <= VifConfig.MAX_MTU)
        {
            mtu = (int)newMtu;
        }
        final long newMac = VifConfig.parseMac(store.read(backendDir + "/mac"));
        if (newMac >= 0)
        {
            mac = newMac;
        }
        txcsum = readSwitch(store, backendDir + "/txcsum", txcsum);
        rxcsum = readSwitch(store, backendDir + "/rxcsum", rxcsum);
        tso = readSwitch(store, backendDir + "/tso", tso);
    }

    private static boolean readSwitch(final XenStore store, final String key, final boolean current)
    {
        final long value = store.readNumber(key, 1, false, -1);
        return value == 0 || value == 1 ? value == 1 : current;
    }
}

package io.pvnet.engine.bridge;

/**
 * A bridge port's 802.1Q membership. An <em>access</em> port belongs to one VLAN and carries its frames untagged
 * (tagged frames arriving there are dropped). A <em>trunk</em> carries the VLANs it allows tagged, and optionally a
 * native VLAN untagged (untagged arrivals belong to it; without a native VLAN they are dropped). VLAN ids are
 * {@code 1..4094}. Immutable.
 */
public final class PortVlan
{
    /** No native VLAN on a trunk. */
    public static final int NO_NATIVE = -1;
    /** The VLAN of an untagged bridge (every port an access port of VLAN 1). */
    public static final int DEFAULT_VLAN = 1;

    private final boolean trunk;
    private final int untaggedVlan;
    private final long[] allowed = new long[64];

    private PortVlan(final boolean trunk, final int untaggedVlan)
    {
        this.trunk = trunk;
        this.untaggedVlan = untaggedVlan;
    }

    /**
     * {@return an access port of {@code vlan}}
     *
     * @param vlan the VLAN id, {@code 1..4094}.
     * @throws IllegalArgumentException if {@code vlan} is out of range.
     */
    public static PortVlan access(final int vlan)
    {
        checkVlan(vlan);
        final PortVlan portVlan = new PortVlan(false, vlan);
        portVlan.set(vlan);
        return portVlan;
    }

    /**
     * A trunk port: the VLANs it carries tagged, and optionally one carried untagged.
     *
     * @param nativeVlan the VLAN untagged frames belong to, or {@link #NO_NATIVE}.
     * @param vlans      the VLANs carried tagged, each {@code 1..4094}.
     * @return a trunk port.
     * @throws IllegalArgumentException if a VLAN id is out of range.
     */
    public static PortVlan trunk(final int nativeVlan, final int... vlans)
    {
        final PortVlan portVlan = new PortVlan(true, nativeVlan);
        if (nativeVlan != NO_NATIVE)
        {
            checkVlan(nativeVlan);
            portVlan.set(nativeVlan);
        }
        for (final int vlan : vlans)
        {
            checkVlan(vlan);
            portVlan.set(vlan);
        }
        return portVlan;
    }

    private static void checkVlan(final int vlan)
    {
        if (vlan < 1 || vlan > 4094)
        {
            throw new IllegalArgumentException("vlan=" + vlan + " must be in 1..4094");
        }
    }

    private void set(final int vlan)
    {
        allowed[vlan >>> 6] |= 1L << vlan;
    }

    /** {@return whether this is a trunk (else an access port)} */
    public boolean isTrunk()
    {
        return trunk;
    }

    /** {@return the VLAN carried untagged: the access VLAN, a trunk's native VLAN, or {@link #NO_NATIVE}} */
    public int untaggedVlan()
    {
        return untaggedVlan;
    }

    /**
     * {@return whether the port carries {@code vlan}}
     *
     * @param vlan a VLAN id; out of range gives false.
     */
    public boolean carries(final int vlan)
    {
        return vlan >= 0 && vlan < 4096 && (allowed[vlan >>> 6] & (1L << vlan)) != 0;
    }

    /**
     * {@return whether frames of {@code vlan} leave this port tagged}
     *
     * @param vlan a VLAN the port carries.
     */
    public boolean tags(final int vlan)
    {
        return vlan != untaggedVlan;
    }
}

package io.pvnet.engine.vif;

import io.pvnet.checksum.packet.EthernetHeader;

/**
 * Configuration of one vif, shared by its two halves: which guest ({@code domid}) and which of its interfaces
 * ({@code handle}), the backend's domain, the MTU, and the offloads this side offers. Checked at construction.
 *
 * @param domid             the guest (frontend) domain, 1..0x7FEF.
 * @param handle            the guest's interface number, 0..65535.
 * @param backendDomid      the backend's domain (0 for dom0), differs from {@code domid}.
 * @param mtu               IP MTU, 68..65535 (larger than a page works through scatter-gather).
 * @param mac               48-bit unicast MAC address of the guest interface ({@link #checkMac}).
 * @param sg                feature-sg: frames larger than one page.
 * @param gsoTcpv4          feature-gso-tcpv4: TSO frames over IPv4.
 * @param gsoTcpv6          feature-gso-tcpv6: TSO frames over IPv6.
 * @param csumOffload       IPv4 checksum offload (a frontend without it publishes feature-no-csum-offload).
 * @param ipv6CsumOffload   feature-ipv6-csum-offload.
 * @param rxQueueBytes      backend: bytes of frames held while the guest posts no buffers (Linux: 512 KiB).
 * @param rxDrainTimeoutNs  backend: a frame waiting longer for buffers is dropped (Linux: 10 s).
 * @param paddedRings       frontend, beyond Xen: ask for rings whose producer indices sit on separate cache lines
 *                          ({@code RingLayout.PADDED}) when the backend offers {@code feature-ring-layout-padded};
 *                          otherwise the rings are Xen's byte for byte.
 * @param queues            backend: the most queues it offers ({@code multi-queue-max-queues}); frontend: the
 *                          queues it asks for (fewer if the backend offers fewer); 1..{@link #MAX_QUEUES}. Linux
 *                          netback offers min(8, CPUs); pvnet's default is 1, since every queue costs its own rings,
 *                          512 buffer pages and rx queue.
 */
public record VifConfig(
    int domid,
    int handle,
    int backendDomid,
    int mtu,
    long mac,
    boolean sg,
    boolean gsoTcpv4,
    boolean gsoTcpv6,
    boolean csumOffload,
    boolean ipv6CsumOffload,
    int rxQueueBytes,
    long rxDrainTimeoutNs,
    boolean paddedRings,
    int queues)
{
    /** Most queues a vif can have (Linux netback's default cap is 8; its module parameter allows more). */
    public static final int MAX_QUEUES = 16;

    /** Smallest MTU (RFC 791). */
    public static final int MIN_MTU = 68;
    /** Largest MTU. */
    public static final int MAX_MTU = 65535;

    /**
     * Checks every value against the ranges above.
     *
     * @throws IllegalArgumentException naming the first value out of range ({@code name=value}).
     */
    public VifConfig
    {
        if (domid < 1 || domid >= 0x7FF0)
        {
            throw new IllegalArgumentException("domid=" + domid + " must be in 1..32751");
        }
        if (handle < 0 || handle > 0xFFFF)
        {
            throw new IllegalArgumentException("handle=" + handle + " must be in 0..65535");
        }
        if (backendDomid < 0 || backendDomid >= 0x7FF0 || backendDomid == domid)
        {
            throw new IllegalArgumentException("backendDomid=" + backendDomid + " must be in 0..32751 and differ from domid");
        }
        checkMtu(mtu);
        checkMac(mac);
        if (rxQueueBytes < 65536 + 64 || rxQueueBytes > (64 << 20))
        {
            throw new IllegalArgumentException("rxQueueBytes=" + rxQueueBytes + " must be in 65600..67108864");
        }
        if (rxDrainTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("rxDrainTimeoutNs=" + rxDrainTimeoutNs + " must be positive");
        }
        if (queues < 1 || queues > MAX_QUEUES)
        {
            throw new IllegalArgumentException("queues=" + queues + " must be in 1.." + MAX_QUEUES);
        }
    }

    /**
     * A vif with Linux's defaults: MTU 1500, every offload on, a 512 KiB rx queue and a 10 s drain timeout, backend in
     * domain 0, MAC {@code 00:16:3e:DD:DD:HH} (the low 16 bits of {@code domid}, the low byte of {@code handle}).
     *
     * @param domid  the guest domain, 1..0x7FEF.
     * @param handle the guest's interface number, 0..65535.
     * @return the config.
     * @throws IllegalArgumentException if {@code domid} or {@code handle} is out of range.
     */
    public static VifConfig of(final int domid, final int handle)
    {
        return new VifConfig(domid, handle, 0, 1500, 0x00163E000000L | ((long)(domid & 0xFFFF) << 8) | (handle & 0xFF),
            true, true, true, true, true, 512 * 1024, 10_000_000_000L, false, 1);
    }

    /**
     * {@return this config with another MTU}
     *
     * @param newMtu IP MTU, 68..65535.
     */
    public VifConfig withMtu(final int newMtu)
    {
        return new VifConfig(domid, handle, backendDomid, newMtu, mac, sg, gsoTcpv4, gsoTcpv6, csumOffload,
            ipv6CsumOffload, rxQueueBytes, rxDrainTimeoutNs, paddedRings, queues);
    }

    /**
     * {@return this config with another MAC}
     *
     * @param newMac the vif's own 48-bit unicast MAC ({@link #checkMac}).
     */
    public VifConfig withMac(final long newMac)
    {
        return new VifConfig(domid, handle, backendDomid, mtu, newMac, sg, gsoTcpv4, gsoTcpv6, csumOffload,
            ipv6CsumOffload, rxQueueBytes, rxDrainTimeoutNs, paddedRings, queues);
    }

    /**
     * {@return this config with the given offloads}
     *
     * @param csum  IPv4 checksum offload.
     * @param gsoV4 TSO over IPv4 ({@code feature-gso-tcpv4}).
     * @param gsoV6 TSO over IPv6 ({@code feature-gso-tcpv6}).
     */
    public VifConfig withOffloads(final boolean csum, final boolean gsoV4, final boolean gsoV6)
    {
        return new VifConfig(domid, handle, backendDomid, mtu, mac, sg, gsoV4, gsoV6, csum, ipv6CsumOffload,
            rxQueueBytes, rxDrainTimeoutNs, paddedRings, queues);
    }

    /**
     * {@return this config with another backend domain}
     *
     * @param newBackendDomid the backend's domain, 0..0x7FEF, not the guest's.
     */
    public VifConfig withBackendDomid(final int newBackendDomid)
    {
        return new VifConfig(domid, handle, newBackendDomid, mtu, mac, sg, gsoTcpv4, gsoTcpv6, csumOffload,
            ipv6CsumOffload, rxQueueBytes, rxDrainTimeoutNs, paddedRings, queues);
    }

    /**
     * {@return this config with another rx queue cap and drain timeout}
     *
     * @param bytes          bytes of frames the backend holds while the guest posts no buffers, 65600..64 MiB.
     * @param drainTimeoutNs a frame waiting longer than this for buffers is dropped; positive.
     */
    public VifConfig withRxQueue(final int bytes, final long drainTimeoutNs)
    {
        return new VifConfig(domid, handle, backendDomid, mtu, mac, sg, gsoTcpv4, gsoTcpv6, csumOffload,
            ipv6CsumOffload, bytes, drainTimeoutNs, paddedRings, queues);
    }

    /**
     * {@return this config asking for padded rings (beyond Xen) or not}
     *
     * @param padded whether the frontend asks for {@code RingLayout.PADDED} when the backend offers it.
     */
    public VifConfig withPaddedRings(final boolean padded)
    {
        return new VifConfig(domid, handle, backendDomid, mtu, mac, sg, gsoTcpv4, gsoTcpv6, csumOffload,
            ipv6CsumOffload, rxQueueBytes, rxDrainTimeoutNs, padded, queues);
    }

    /**
     * {@return this config with another queue count (the backend's maximum, the frontend's request)}
     *
     * @param newQueues 1..{@link #MAX_QUEUES}.
     */
    public VifConfig withQueues(final int newQueues)
    {
        return new VifConfig(domid, handle, backendDomid, mtu, mac, sg, gsoTcpv4, gsoTcpv6, csumOffload,
            ipv6CsumOffload, rxQueueBytes, rxDrainTimeoutNs, paddedRings, newQueues);
    }

    /**
     * Checks an MTU, for the config and for a runtime {@code ifconfig mtu}.
     *
     * @param mtu IP MTU.
     * @return {@code mtu}.
     * @throws IllegalArgumentException unless {@code mtu} is in 68..65535.
     */
    public static int checkMtu(final int mtu)
    {
        if (mtu < MIN_MTU || mtu > MAX_MTU)
        {
            throw new IllegalArgumentException("mtu=" + mtu + " must be in " + MIN_MTU + ".." + MAX_MTU);
        }
        return mtu;
    }

    /**
     * Checks a vif's own MAC, for the config and for a runtime {@code ifconfig lladdr}: 48 bits, and not a group
     * (multicast or broadcast) address, which no interface may own (Linux's {@code is_valid_ether_addr}; a guest
     * sending from one would be learnt by every bridge as the owner of a group).
     *
     * @param mac a 48-bit MAC in the low bits, first octet most significant.
     * @return {@code mac}.
     * @throws IllegalArgumentException {@code mac=VALUE} and {@link #macProblem}'s reason.
     */
    public static long checkMac(final long mac)
    {
        if ((mac >>> 48) != 0)
        {
            throw new IllegalArgumentException("mac=0x" + Long.toHexString(mac) + " must fit 48 bits");
        }
        final String problem = macProblem(mac);
        if (problem != null)
        {
            throw new IllegalArgumentException("mac=" + formatMac(mac) + " " + problem);
        }
        return mac;
    }

    /**
     * {@return why a 48-bit MAC cannot be a vif's own, as the end of a sentence naming it ({@code "lladdr X " +
     * problem}), or null when it can}: the one test every command that takes a MAC uses.
     *
     * @param mac a 48-bit MAC in the low bits, first octet most significant.
     */
    public static String macProblem(final long mac)
    {
        return EthernetHeader.isGroup(mac) ? "is a group (multicast or broadcast) address; give a unicast MAC" : null;
    }

    /**
     * {@return the vif's name as dom0 gives it, {@code vif1.0}: the name of its counters, its switch port and every
     * message about it}
     */
    public String name()
    {
        return name(domid, handle);
    }

    /**
     * The name dom0 gives vif {@code domid.handle}, for a vif known only by its numbers.
     *
     * @param domid  the guest's domain id.
     * @param handle the vif's handle in that domain.
     * @return the vif's name as dom0 gives it: {@code vifDOMID.HANDLE}.
     */
    public static String name(final int domid, final int handle)
    {
        return "vif" + domid + "." + handle;
    }

    /** {@return the XenStore directory of the frontend} */
    public String frontendDir()
    {
        return "device/vif/" + domid + "/" + handle;
    }

    /** {@return the XenStore directory of the backend} */
    public String backendDir()
    {
        return "backend/vif/" + domid + "/" + handle;
    }

    /**
     * {@return {@code xx:xx:xx:xx:xx:xx}, lower case}
     *
     * @param mac a 48-bit MAC in the low bits, first octet most significant.
     */
    public static String formatMac(final long mac)
    {
        final StringBuilder text = new StringBuilder(17);
        for (int i = 5; i >= 0; i--)
        {
            final int b = (int)(mac >>> (8 * i)) & 0xFF;
            text.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            if (i > 0)
            {
                text.append(':');
            }
        }
        return text.toString();
    }

    /**
     * {@return the 48-bit MAC of {@code xx:xx:xx:xx:xx:xx}, or -1 if malformed}
     *
     * @param text the MAC as the store and {@code ifconfig lladdr} write it; null gives -1.
     */
    public static long parseMac(final String text)
    {
        if (text == null || text.length() != 17)
        {
            return -1;
        }
        long mac = 0;
        for (int i = 0; i < 6; i++)
        {
            final int hi = Character.digit(text.charAt(3 * i), 16);
            final int lo = Character.digit(text.charAt(3 * i + 1), 16);
            if (hi < 0 || lo < 0 || (i < 5 && text.charAt(3 * i + 2) != ':'))
            {
                return -1;
            }
            mac = (mac << 8) | (hi << 4) | lo;
        }
        return mac;
    }
}

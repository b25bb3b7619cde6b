package io.pvnet.checksum.hash;

import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import org.agrona.DirectBuffer;

import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_TCP;

/**
 * The receive-side-scaling hash of a parsed frame as Linux netback computes it ({@code xenvif_set_skb_hash},
 * hash.c): Toeplitz over the fields the enabled hash types select, in network byte order.
 * <ul>
 * <li>IPv4 TCP (not a fragment) with {@link #IPV4_TCP}: source, destination address, source, destination port
 * (12 bytes), type {@link #TYPE_IPV4_TCP};</li>
 * <li>else IPv4 with {@link #IPV4}: the two addresses (8 bytes), type {@link #TYPE_IPV4};</li>
 * <li>IPv6 likewise with {@link #IPV6_TCP} (36 bytes) and {@link #IPV6} (32 bytes), the fixed header's addresses;</li>
 * <li>anything else (UDP gets the address hash only, non-IP gets none): no hash.</li>
 * </ul>
 * The result packs type and value in one long so the hot path returns a primitive: {@link #NONE}, or
 * {@code type << 32 | value}; read it with {@link #type} and {@link #value}.
 * <p>
 * Threads: as its {@link ToeplitzHash}. Allocates nothing.
 */
public final class FlowHash
{
    /** Hash type flag (netif.h {@code _XEN_NETIF_CTRL_HASH_TYPE_IPV4} as a mask): IPv4 addresses. */
    public static final int IPV4 = 1;
    /** IPv4 addresses and TCP ports. */
    public static final int IPV4_TCP = 1 << 1;
    /** IPv6 addresses. */
    public static final int IPV6 = 1 << 2;
    /** IPv6 addresses and TCP ports. */
    public static final int IPV6_TCP = 1 << 3;
    /** Every type Linux supports (GET_HASH_FLAGS answers this). */
    public static final int ALL = IPV4 | IPV4_TCP | IPV6 | IPV6_TCP;

    /** Hash type numbers as a HASH extra carries them (the bit numbers of the flags). */
    public static final int TYPE_IPV4 = 0;
    /** {@link #IPV4_TCP}'s type number. */
    public static final int TYPE_IPV4_TCP = 1;
    /** {@link #IPV6}'s type number. */
    public static final int TYPE_IPV6 = 2;
    /** {@link #IPV6_TCP}'s type number. */
    public static final int TYPE_IPV6_TCP = 3;

    /** No hash: the frame is not of an enabled type. */
    public static final long NONE = -1L;

    private static final int IPV4_ADDRESSES_OFFSET = 12;
    private static final int IPV6_ADDRESSES_OFFSET = 8;

    private final ToeplitzHash toeplitz;

    /**
     * A flow hasher keyed by {@code toeplitz}; threads as that hash.
     * @param toeplitz the keyed Toeplitz hash to apply (shared, not copied: a new key applies from the next frame).
     */
    public FlowHash(final ToeplitzHash toeplitz)
    {
        this.toeplitz = toeplitz;
    }

    /** {@return the Toeplitz hash (and key) this hasher uses} */
    public ToeplitzHash toeplitz()
    {
        return toeplitz;
    }

    /**
     * {@return {@link #NONE}, or the hash packed as {@code type << 32 | value}}
     * @param frame   the frame {@code headers} was parsed from ({@code HeaderParser.parse} returned OK).
     * @param enabled the enabled hash types ({@link #IPV4} | ...).
     * @param headers the frame's headers.
     */
    public long hash(final DirectBuffer frame, final PacketHeaders headers, final int enabled)
    {
        final L3Protocol l3 = headers.l3();
        final boolean tcp = headers.l4Protocol() == PROTOCOL_TCP && headers.hasL4Header() && !headers.isFragment();
        if (l3 == L3Protocol.IPV4)
        {
            final int addresses = headers.l3Offset() + IPV4_ADDRESSES_OFFSET;
            if (tcp && (enabled & IPV4_TCP) != 0)
            {
                return pack(TYPE_IPV4_TCP, toeplitz.hash(frame, addresses, 8, 0) ^
                    toeplitz.hash(frame, headers.l4Offset(), 4, 8));
            }
            return (enabled & IPV4) != 0 ? pack(TYPE_IPV4, toeplitz.hash(frame, addresses, 8, 0)) : NONE;
        }
        if (l3 == L3Protocol.IPV6)
        {
            final int addresses = headers.l3Offset() + IPV6_ADDRESSES_OFFSET;
            if (tcp && (enabled & IPV6_TCP) != 0)
            {
                return pack(TYPE_IPV6_TCP, toeplitz.hash(frame, addresses, 32, 0) ^
                    toeplitz.hash(frame, headers.l4Offset(), 4, 32));
            }
            return (enabled & IPV6) != 0 ? pack(TYPE_IPV6, toeplitz.hash(frame, addresses, 32, 0)) : NONE;
        }
        return NONE;
    }

    private static long pack(final int type, final int value)
    {
        return (long)type << 32 | (value & 0xFFFF_FFFFL);
    }

    /**
     * {@return the hash type number of a packed hash (not {@link #NONE})}
     * @param packed a value {@link #hash} returned.
     */
    public static int type(final long packed)
    {
        return (int)(packed >>> 32);
    }

    /**
     * {@return the 32-bit hash value of a packed hash (not {@link #NONE})}
     * @param packed a value {@link #hash} returned.
     */
    public static int value(final long packed)
    {
        return (int)packed;
    }
}

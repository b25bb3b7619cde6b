package io.pvnet.engine.frame;

/**
 * What travels with a frame besides its bytes: the offload state ({@link FrameFlags}), the GSO size and type, where
 * a partial checksum starts and where its field lies (as virtio-net and Linux's {@code skb->csum_start/csum_offset}
 * say it; -1 when not known, the frame's headers then say it), and room for the receive hash (Toeplitz, with its
 * {@code XEN_NETIF_CTRL_HASH_TYPE_*}; 0 when none). One reusable instance per thread replaces the loose
 * {@code (flags, gsoSize, gsoType)} ints: {@link io.pvnet.engine.frame.OffloadPolicy} decides on it.
 * <p>
 * Threading: a mutable flyweight, never shared. Each agent (or thread) owns its instances, fills one per frame with
 * {@link #set}, and may hand it on only for the duration of a call, as it does the frame's buffer: a callee that
 * needs the values later copies them. Allocates nothing.
 */
public final class FrameMetadata
{
    /** Value of {@link #checksumStart()} and {@link #checksumOffset()} when not known. */
    public static final int UNKNOWN = -1;

    private int flags;
    private int gsoSize;
    private int gsoType;
    private int checksumStart = UNKNOWN;
    private int checksumOffset = UNKNOWN;
    private int hash;
    private int hashType;

    /** An instance describing an ordinary frame (no offload, no GSO, no hash), to be refilled with {@link #set}. */
    public FrameMetadata()
    {
    }

    /**
     * Describes the next frame: offload state and GSO; checksum position unknown, no hash.
     *
     * @param flags   {@link FrameFlags} bits.
     * @param gsoSize MSS of a GSO frame, 0 for an ordinary frame.
     * @param gsoType {@code XEN_NETIF_GSO_TYPE_*} of a GSO frame.
     * @return this.
     */
    public FrameMetadata set(final int flags, final int gsoSize, final int gsoType)
    {
        this.flags = flags;
        this.gsoSize = gsoSize;
        this.gsoType = gsoType;
        this.checksumStart = UNKNOWN;
        this.checksumOffset = UNKNOWN;
        this.hash = 0;
        this.hashType = 0;
        return this;
    }

    /**
     * {@return this, with the partial checksum's start (from the frame's first byte) and its field's offset from there}
     *
     * @param start  where checksumming starts, in bytes from the frame's first byte, or {@link #UNKNOWN}.
     * @param offset where the checksum field lies, in bytes from {@code start}, or {@link #UNKNOWN}.
     */
    public FrameMetadata checksum(final int start, final int offset)
    {
        this.checksumStart = start;
        this.checksumOffset = offset;
        return this;
    }

    /**
     * {@return this, with the receive hash and its {@code XEN_NETIF_CTRL_HASH_TYPE_*}}
     *
     * @param hash     the hash value.
     * @param hashType its {@code XEN_NETIF_CTRL_HASH_TYPE_*}, or 0 for none.
     */
    public FrameMetadata hash(final int hash, final int hashType)
    {
        this.hash = hash;
        this.hashType = hashType;
        return this;
    }

    /** {@return the {@link FrameFlags} bits} */
    public int flags()
    {
        return flags;
    }

    /** {@return the MSS of a GSO frame, 0 for an ordinary frame} */
    public int gsoSize()
    {
        return gsoSize;
    }

    /** {@return the {@code XEN_NETIF_GSO_TYPE_*}; meaningful only when {@link #isGso()}} */
    public int gsoType()
    {
        return gsoType;
    }

    /** {@return where the partial checksum starts, from the frame's first byte; {@link #UNKNOWN} if not known} */
    public int checksumStart()
    {
        return checksumStart;
    }

    /** {@return where the checksum field lies, from {@link #checksumStart()}; {@link #UNKNOWN} if not known} */
    public int checksumOffset()
    {
        return checksumOffset;
    }

    /** {@return the receive hash; meaningful only when {@link #hashType()} is not 0} */
    public int hash()
    {
        return hash;
    }

    /** {@return the hash's {@code XEN_NETIF_CTRL_HASH_TYPE_*}, 0 when the frame carries none} */
    public int hashType()
    {
        return hashType;
    }

    /** {@return whether the L4 checksum is left for someone downstream ({@link FrameFlags#CSUM_PARTIAL})} */
    public boolean isChecksumPartial()
    {
        return (flags & FrameFlags.CSUM_PARTIAL) != 0;
    }

    /** {@return whether the checksums are known good ({@link FrameFlags#DATA_VALIDATED})} */
    public boolean isDataValidated()
    {
        return (flags & FrameFlags.DATA_VALIDATED) != 0;
    }

    /** {@return whether this is a GSO (TSO) frame to be cut into {@link #gsoSize()} segments} */
    public boolean isGso()
    {
        return gsoSize != 0;
    }

    @Override
    public String toString()
    {
        return "FrameMetadata{flags=" + flags + ", gsoSize=" + gsoSize + ", gsoType=" + gsoType +
            ", checksumStart=" + checksumStart + ", checksumOffset=" + checksumOffset + ", hash=" + hash +
            ", hashType=" + hashType + "}";
    }
}

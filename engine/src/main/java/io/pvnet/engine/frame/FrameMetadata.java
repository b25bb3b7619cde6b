package io.pvnet.engine.frame;

/**
 * What travels with a frame besides its bytes: the offload state ({@link FrameFlags}), the GSO size and type, where
 * a partial checksum starts and where its field lies (as virtio-net and Linux's {@code skb->csum_start/csum_offset}
 * say it; -1 when not known, the frame's headers then say it), and room for the receive hash (Toeplitz, with its
 * {@code XEN_NETIF_CTRL_HASH_TYPE_*}; type {@link #NO_HASH} when none). It travels with the frame's
 * {@code (buffer, offset, length)} through every step of the data path ({@link FrameSink}, {@link FrameHandler},
 * the ports, the bridge and router, the vif halves) in place of loose {@code (flags, gsoSize, gsoType)} ints, and
 * {@link io.pvnet.engine.frame.OffloadPolicy} decides on it.
 * <p>
 * Threading and ownership: a mutable flyweight, never shared between threads. Whoever produces a frame owns the
 * instance that describes it (the backend agent for what its guest sent, the frontend for what it received, a port's
 * agent for what came in on it, the bridge or router for what it sends on) and refills it with {@link #set} for each
 * frame. It may hand the instance on only for the duration of a call, as it does the frame's buffer: a callee reads
 * it during the call and never changes it, and one that needs the values later (a queue, a pending table) copies
 * them with {@link #copyFrom} or into its own storage. Allocates nothing.
 */
public final class FrameMetadata
{
    /** Value of {@link #checksumStart()} and {@link #checksumOffset()} when not known. */
    public static final int UNKNOWN = -1;
    /** Value of {@link #hashType()} when the frame carries no hash. */
    public static final int NO_HASH = -1;

    private int flags;
    private int gsoSize;
    private int gsoType;
    private int checksumStart = UNKNOWN;
    private int checksumOffset = UNKNOWN;
    private int hash;
    private int hashType = NO_HASH;

    /**
     * A new instance describing one frame, for set-up code and tests; the data path reuses its instances instead.
     *
     * @param flags   {@link FrameFlags} bits.
     * @param gsoSize MSS of a GSO frame, 0 for an ordinary frame.
     * @param gsoType {@code XEN_NETIF_GSO_TYPE_*} of a GSO frame.
     * @return a new instance (allocates).
     */
    public static FrameMetadata of(final int flags, final int gsoSize, final int gsoType)
    {
        return new FrameMetadata().set(flags, gsoSize, gsoType);
    }

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
        this.hashType = NO_HASH;
        return this;
    }

    /**
     * Copies every value of another instance (for a callee that keeps a frame beyond the call that handed it over).
     *
     * @param other the frame's metadata.
     * @return this.
     */
    public FrameMetadata copyFrom(final FrameMetadata other)
    {
        this.flags = other.flags;
        this.gsoSize = other.gsoSize;
        this.gsoType = other.gsoType;
        this.checksumStart = other.checksumStart;
        this.checksumOffset = other.checksumOffset;
        this.hash = other.hash;
        this.hashType = other.hashType;
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
     * @param hashType its {@code XEN_NETIF_CTRL_HASH_TYPE_*}, or {@link #NO_HASH} for none.
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

    /** {@return the receive hash; meaningful only when {@link #hasHash()}} */
    public int hash()
    {
        return hash;
    }

    /** {@return the hash's {@code XEN_NETIF_CTRL_HASH_TYPE_*}, {@link #NO_HASH} when the frame carries none} */
    public int hashType()
    {
        return hashType;
    }

    /** {@return whether the frame carries a receive hash} */
    public boolean hasHash()
    {
        return hashType != NO_HASH;
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

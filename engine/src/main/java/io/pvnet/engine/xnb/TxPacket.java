package io.pvnet.engine.xnb;

/**
 * One transmit packet found on the tx ring: FreeBSD's {@code struct xnb_pkt}, plus the reason it is invalid.
 * Filled by {@link TxAssembler#ring2pkt}; reused for every packet (no allocation). Single-threaded.
 * <p>
 * {@code car} is the ring index of the first data slot, {@code cdr} of the second (the rest follow consecutively);
 * {@code size} the total length from the first slot, {@code carSize} what the first slot carries.
 */
public final class TxPacket
{
    /** Ring index of the first data slot. */
    int car;
    /** Ring index of the second data slot (valid if {@code listLen > 1}). */
    int cdr;
    /** Number of slots used, extras included. */
    int slots;
    /** Number of data slots. */
    int listLen;
    /** Total packet length (the first slot's size field). */
    int size;
    /** Bytes carried by the first slot: size minus the continuation slots. */
    int carSize;
    /** NETTXF flags of the first slot, without more_data. */
    int flags;
    /** Whether a GSO extra was present. */
    boolean hasGso;
    /** GSO MSS. */
    int gsoSize;
    /** GSO type. */
    int gsoType;
    /** Number of extra slots. */
    int extraCount;
    /** Type of the last extra seen (for tests and dumps). */
    int extraType;
    /** {@link DropReason}, {@link DropReason#NONE} if valid. */
    int error;
    /** Address of an MCAST_ADD extra (the last one, as Linux keeps one extra per type), or -1. */
    long mcastAdd = -1;
    /** Address of an MCAST_DEL extra, or -1. */
    long mcastDel = -1;

    void clear()
    {
        car = 0;
        cdr = 0;
        slots = 0;
        listLen = 0;
        size = 0;
        carSize = 0;
        flags = 0;
        hasGso = false;
        gsoSize = 0;
        gsoType = 0;
        extraCount = 0;
        extraType = 0;
        error = DropReason.NONE;
        mcastAdd = -1;
        mcastDel = -1;
    }

    /**
     * @return whether the packet is a multicast control request (an MCAST_ADD or MCAST_DEL extra): Linux netback
     *         answers it from the extras alone and never reads its data.
     */
    public boolean isMulticastControl()
    {
        return mcastAdd >= 0 || mcastDel >= 0;
    }

    public long mcastAdd()
    {
        return mcastAdd;
    }

    public long mcastDel()
    {
        return mcastDel;
    }

    /** @return whether the packet can be delivered. */
    public boolean isValid()
    {
        return error == DropReason.NONE;
    }

    public int car()
    {
        return car;
    }

    public int cdr()
    {
        return cdr;
    }

    public int slots()
    {
        return slots;
    }

    public int listLen()
    {
        return listLen;
    }

    public int size()
    {
        return size;
    }

    public int carSize()
    {
        return carSize;
    }

    public int flags()
    {
        return flags;
    }

    public boolean hasGso()
    {
        return hasGso;
    }

    public int gsoSize()
    {
        return gsoSize;
    }

    public int gsoType()
    {
        return gsoType;
    }

    public int extraType()
    {
        return extraType;
    }

    public int error()
    {
        return error;
    }
}

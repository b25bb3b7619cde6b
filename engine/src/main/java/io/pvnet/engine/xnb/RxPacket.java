package io.pvnet.engine.xnb;

/**
 * One receive packet laid out over the frontend's posted rx requests: FreeBSD's {@code struct xnb_pkt} as
 * {@code xnb_mbufc2pkt} fills it. Reused; single-threaded.
 * <p>
 * Data pages go to the requests at {@code car}, then {@code cdr}, {@code cdr + 1}, ...; extras sit right after
 * {@code car} in type order (a GSO extra, then a HASH extra), each in a request's slot, so {@code cdr = car + 1 +
 * extras}.
 */
public final class RxPacket
{
    int car;
    int cdr;
    int size;
    int listLen;
    int slots;
    int flags;
    boolean hasGso;
    int gsoSize;
    int gsoType;
    /** Hash type number of a HASH extra, or -1 for none. */
    int hashType = -1;
    int hashValue;
    boolean valid;

    void clear()
    {
        car = 0;
        cdr = 0;
        size = 0;
        listLen = 0;
        slots = 0;
        flags = 0;
        hasGso = false;
        gsoSize = 0;
        gsoType = 0;
        hashType = -1;
        hashValue = 0;
        valid = false;
    }

    public boolean isValid()
    {
        return valid;
    }

    public int car()
    {
        return car;
    }

    public int cdr()
    {
        return cdr;
    }

    public int size()
    {
        return size;
    }

    public int listLen()
    {
        return listLen;
    }

    public int slots()
    {
        return slots;
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

    /** @return whether a HASH extra follows (after the GSO extra, if any). */
    public boolean hasHash()
    {
        return hashType >= 0;
    }

    public int hashType()
    {
        return hashType;
    }

    public int hashValue()
    {
        return hashValue;
    }

    /** @return extra slots after the first data slot. */
    public int extras()
    {
        return (hasGso ? 1 : 0) + (hashType >= 0 ? 1 : 0);
    }

    /** @return the ring index of data page {@code page} (0-based). */
    public int pageIndex(final int page)
    {
        return page == 0 ? car : cdr + page - 1;
    }
}

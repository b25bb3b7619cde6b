package io.pvnet.engine.xnb;

/**
 * One receive packet laid out over the frontend's posted rx requests: FreeBSD's {@code struct xnb_pkt} as
 * {@code xnb_mbufc2pkt} fills it. Reused; single-threaded.
 * <p>
 * Data pages go to the requests at {@code car}, then {@code cdr}, {@code cdr + 1}, ...; with a GSO extra, the request at
 * {@code car + 1} carries the extra and {@code cdr = car + 2}.
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

    /** @return the ring index of data page {@code page} (0-based). */
    public int pageIndex(final int page)
    {
        return page == 0 ? car : cdr + page - 1;
    }
}

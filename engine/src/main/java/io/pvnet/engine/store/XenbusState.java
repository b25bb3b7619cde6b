package io.pvnet.engine.store;

/**
 * XenBus device states ({@code public/io/xenbus.h}), stored as decimal text under the key {@code state} of each side's
 * directory, as Xen does.
 */
public enum XenbusState
{
    /** 0: not yet known, or an unreadable value. */
    UNKNOWN(0),
    /** 1: the driver is setting itself up. */
    INITIALISING(1),
    /** 2: waiting for the peer (the backend published its features). */
    INIT_WAIT(2),
    /** 3: the frontend published its keys. */
    INITIALISED(3),
    /** 4: the data path is running. */
    CONNECTED(4),
    /** 5: going away; the peer should disconnect. */
    CLOSING(5),
    /** 6: disconnected. */
    CLOSED(6),
    /** 7: reconfiguring. */
    RECONFIGURING(7),
    /** 8: reconfigured. */
    RECONFIGURED(8);

    private static final XenbusState[] BY_CODE = values();

    private final int code;

    XenbusState(final int code)
    {
        this.code = code;
    }

    /** @return the value stored in XenStore. */
    public int code()
    {
        return code;
    }

    /** @return the state of a stored code, {@link #UNKNOWN} for anything out of range (a hostile writer). */
    public static XenbusState fromCode(final long code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[(int)code] : UNKNOWN;
    }
}

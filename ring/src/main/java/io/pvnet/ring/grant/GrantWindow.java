package io.pvnet.ring.grant;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A writable view of part of one granted page for the duration of one grantee operation
 * ({@link GrantTable#openWindow} .. {@link GrantTable#closeWindow}). While open, {@link #buffer()} spans exactly the
 * granted bytes, index 0 being the first; closed, it spans nothing (capacity 0), so a stale write is refused by the
 * buffer's bounds checks. Reused across operations; grantee thread only; allocates nothing after construction.
 */
public final class GrantWindow
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
    private final byte[] empty = new byte[0];
    private GrantTable table;
    private int ref = -1;

    /** A closed window, to be opened by {@link GrantTable#openWindow} and reused across operations. */
    public GrantWindow()
    {
    }

    /** {@return the window's bytes while open (index 0 .. capacity-1), an empty buffer when closed} */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /** {@return true between a successful {@link GrantTable#openWindow} and {@link GrantTable#closeWindow}} */
    public boolean isOpen()
    {
        return null != table;
    }

    /** {@return the reference the window is open on, or -1 when closed} */
    public int ref()
    {
        return ref;
    }

    GrantTable table()
    {
        return table;
    }

    void open(final GrantTable owner, final int grantRef, final AtomicBuffer pages, final int offset, final int length)
    {
        buffer.wrap(pages, offset, length);
        table = owner;
        ref = grantRef;
    }

    void close()
    {
        buffer.wrap(empty);
        table = null;
        ref = -1;
    }
}

package io.pvnet.pci.backend;

import io.pvnet.pci.ConfigAccess;
import io.pvnet.pci.ConfigSpace;

/**
 * A guest's view of a device ({@link VirtualConfigSpace}) as a {@link ConfigAccess}, for tools that run guest-side
 * protocols on it (BAR sizing, {@code lspci} of the virtual device): reads and writes go through the same fields as
 * the guest's, results unpacked to plain values.
 * <p>
 * Not thread-safe: the thread that owns the view.
 */
final class GuestConfigAccess implements ConfigAccess
{
    private final VirtualConfigSpace space;

    GuestConfigAccess(final VirtualConfigSpace space)
    {
        this.space = space;
    }

    @Override
    public int size()
    {
        return space.device().config().size();
    }

    @Override
    public boolean isWritable()
    {
        return true;
    }

    @Override
    public int read(final int offset, final int size)
    {
        return VirtualConfigSpace.value(space.read(offset, size));
    }

    @Override
    public int write(final int offset, final int size, final int value)
    {
        return space.write(offset, size, value);
    }

    @Override
    public ConfigSpace snapshot()
    {
        return space.guestSnapshot();
    }
}

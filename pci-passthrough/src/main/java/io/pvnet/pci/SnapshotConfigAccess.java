package io.pvnet.pci;

/**
 * A real device's config space as read once from sysfs or a dump: reads come from the snapshot, every write is refused
 * and counted. This is how pvnet guarantees it never writes to a real device's config space.
 */
public final class SnapshotConfigAccess implements ConfigAccess
{
    private final ConfigSpace snapshot;
    private long refusedWrites;

    /**
     * Read-only access to a copy of {@code snapshot}; writes are refused and counted.
     * @param snapshot the image.
     */
    public SnapshotConfigAccess(final ConfigSpace snapshot)
    {
        this.snapshot = snapshot.copy();
    }

    @Override
    public int size()
    {
        return snapshot.size();
    }

    @Override
    public boolean isWritable()
    {
        return false;
    }

    @Override
    public int read(final int offset, final int size)
    {
        return snapshot.read(offset, size);
    }

    @Override
    public int write(final int offset, final int size, final int value)
    {
        refusedWrites++;
        return WRITE_REFUSED_READ_ONLY;
    }

    /**
     * Writes refused so far.
     * @return the count.
     */
    public long refusedWrites()
    {
        return refusedWrites;
    }

    @Override
    public ConfigSpace snapshot()
    {
        return snapshot.copy();
    }
}

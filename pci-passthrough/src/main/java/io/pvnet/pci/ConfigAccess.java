package io.pvnet.pci;

/**
 * Access to one function's configuration space: the "hardware" under pciback. Implementations: a read-only snapshot of
 * a real device ({@link SnapshotConfigAccess}) and an emulated function ({@code device.EmulatedFunction}, in the
 * package that builds on this one).
 * <p>
 * Accesses are 1, 2 or 4 bytes. Not thread-safe: the backend owning the device is its single caller.
 */
public interface ConfigAccess
{
    /** The write went through. */
    int WRITE_OK = 0;
    /** The function is read-only to pvnet (a real device): nothing was written. */
    int WRITE_REFUSED_READ_ONLY = -1;
    /** Offset or size outside the config space. */
    int WRITE_OUT_OF_RANGE = -2;

    /**
     * Config space size in bytes (256 or 4096).
     * @return 256 or 4096.
     */
    int size();

    /**
     * True for an emulated function, false for a real device, whose config pvnet never writes.
     * @return true when {@link #write} may change the space.
     */
    boolean isWritable();

    /**
     * The value of a 1, 2 or 4 byte register; all ones outside the readable space.
     * @param offset the register's offset.
     * @param size 1, 2 or 4 bytes.
     * @return the value, zero-extended.
     */
    int read(int offset, int size);

    /**
     * Writes a 1, 2 or 4 byte register; {@link #WRITE_OK} or a negative refusal code.
     * @param offset the register's offset.
     * @param size 1, 2 or 4 bytes.
     * @param value the value to write (low {@code size} bytes used).
     * @return {@link #WRITE_OK} or a negative refusal code.
     */
    int write(int offset, int size, int value);

    /**
     * A copy of the current contents.
     * @return a new image of the space as it reads now.
     */
    ConfigSpace snapshot();
}

package io.pvnet.engine.store;

import org.agrona.concurrent.AtomicBuffer;

import java.nio.charset.StandardCharsets;

import static io.pvnet.engine.store.StoreDescriptor.*;

/**
 * A XenStore-like key/value area over shared memory ({@link StoreDescriptor}): keys are paths such as
 * {@code backend/vif/1/0/feature-sg}, values short US-ASCII strings, as in Xen.
 * <p>
 * Threading: any number of readers and writers, in any process mapping the area. Each entry is a seqlock: a writer takes
 * it by a CAS of the sequence from even to odd, writes, and publishes with a release store of the next even value; a
 * reader loads the sequence (acquire), copies the entry, issues a load fence and re-reads the sequence. Every loop is
 * bounded, so a peer that holds an entry odd forever or scribbles over the area makes calls fail with a status, never hang.
 * <p>
 * Readers in other processes watch the area by polling {@link #changeCounter()}; in this process a {@link #watch} on a
 * path runs an action after each write or removal below it through this handle, as xenstored fires a watch event.
 * <p>
 * The area is used on configuration paths only: methods may allocate.
 */
public final class XenStore
{
    /** Status: written. */
    public static final int OK = 0;
    /** Status: no free entry. */
    public static final int FULL = -1;
    /** Status: the entry stayed locked by another writer beyond the retry bound. */
    public static final int BUSY = -2;

    private static final int MAX_ATTEMPTS = 64;

    private final AtomicBuffer buffer;
    private final int entryCount;
    /**
     * Process-private hints that keep lookups O(1) in a store of tens of thousands of entries (a thousand vifs): where
     * a key was last found, by hash of its bytes (always verified against the entry, so a stale or colliding hint only
     * costs the scan), and the next entry to try for a free one. Racy between threads by design: every use re-checks.
     */
    private final int[] foundAt;
    /** Keys last seen absent, with the change counter at that time (valid while the counter has not moved). */
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> absentAt =
        new java.util.concurrent.ConcurrentHashMap<>();
    /** Watches on this handle ({@link #watch}): process-private, like the hints. */
    private final StoreWatch.Registry watches = new StoreWatch.Registry();

    private XenStore(final AtomicBuffer buffer, final int entryCount)
    {
        this.buffer = buffer;
        this.entryCount = entryCount;
        this.foundAt = new int[Integer.highestOneBit(Math.max(1, entryCount)) * 4];
    }

    /** Formats {@code buffer} as an empty area of {@code entryCount} entries. */
    public static XenStore create(final AtomicBuffer buffer, final int entryCount)
    {
        checkCapacity(buffer, entryCount);
        buffer.setMemory(0, length(entryCount), (byte)0);
        buffer.putInt(VERSION_OFFSET, VERSION);
        buffer.putInt(ENTRY_COUNT_OFFSET, entryCount);
        buffer.putIntRelease(MAGIC_OFFSET, MAGIC);
        return new XenStore(buffer, entryCount);
    }

    /**
     * Attaches to an area formatted by {@link #create}.
     *
     * @throws IllegalStateException naming the bad field when the header is not one this code understands.
     */
    public static XenStore attach(final AtomicBuffer buffer)
    {
        final int magic = buffer.getIntAcquire(MAGIC_OFFSET);
        if (magic != MAGIC)
        {
            throw new IllegalStateException("store area: magic=0x" + Integer.toHexString(magic) + " expected=0x" +
                Integer.toHexString(MAGIC));
        }
        final int version = buffer.getInt(VERSION_OFFSET);
        if (version != VERSION)
        {
            throw new IllegalStateException("store area: version=" + version + " expected=" + VERSION);
        }
        final int entryCount = buffer.getInt(ENTRY_COUNT_OFFSET);
        if (entryCount < 1 || length(entryCount) > buffer.capacity() || length(entryCount) < 0)
        {
            throw new IllegalStateException("store area: entryCount=" + entryCount + " capacity=" + buffer.capacity());
        }
        return new XenStore(buffer, entryCount);
    }

    /** @return the number of entries. */
    public int entryCount()
    {
        return entryCount;
    }

    /** @return a counter bumped after every write or removal; poll it to watch the area. */
    public int changeCounter()
    {
        return buffer.getIntVolatile(CHANGE_COUNTER_OFFSET);
    }

    /**
     * Watches {@code path} as xenstored does: after each write or removal through this handle of {@code path} or of a
     * key below it, {@code action} runs on the writer's thread (see {@link StoreWatch}). A backend's thread that
     * sleeps is woken this way when its frontend, in this process, writes its keys.
     *
     * @param path   a key or directory, with or without a trailing {@code /}.
     * @param action what to run; quick, never throwing, never writing the store.
     * @return the watch; {@link StoreWatch#close()} removes it.
     * @throws IllegalArgumentException if {@code path} is empty or {@code action} null.
     */
    public StoreWatch watch(final String path, final Runnable action)
    {
        return watches.add(path, action);
    }

    /**
     * Writes {@code key = value}, replacing an existing value.
     *
     * @return {@link #OK}, {@link #FULL} or {@link #BUSY}.
     * @throws IllegalArgumentException if the key or value is too long or not printable US-ASCII.
     */
    public int write(final String key, final String value)
    {
        final byte[] keyBytes = checkedBytes("key", key, MAX_KEY_LENGTH);
        final byte[] valueBytes = checkedBytes("value", value, MAX_VALUE_LENGTH);
        if (keyBytes.length == 0)
        {
            throw new IllegalArgumentException("key=\"\" is empty");
        }

        int index = find(keyBytes);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
        {
            if (index < 0)
            {
                index = findFree(keyBytes);
                if (index < 0)
                {
                    return FULL;
                }
            }
            final int entry = entryOffset(index);
            final int sequence = buffer.getIntVolatile(entry + ENTRY_SEQUENCE_OFFSET);
            if ((sequence & 1) != 0 || !buffer.compareAndSetInt(entry + ENTRY_SEQUENCE_OFFSET, sequence, sequence + 1))
            {
                Thread.onSpinWait();
                continue;
            }
            // Locked. The entry may have been taken by another key between find and CAS: check under the lock.
            final int keyLength = buffer.getByte(entry + ENTRY_KEY_LENGTH_OFFSET) & 0xFF;
            if (keyLength != 0 && !keyEquals(entry, keyBytes))
            {
                buffer.putIntRelease(entry + ENTRY_SEQUENCE_OFFSET, sequence + 2);
                index = -1;
                continue;
            }
            buffer.putBytes(entry + ENTRY_KEY_OFFSET, keyBytes);
            buffer.putBytes(entry + ENTRY_VALUE_OFFSET, valueBytes);
            buffer.putByte(entry + ENTRY_VALUE_LENGTH_OFFSET, (byte)valueBytes.length);
            buffer.putByte(entry + ENTRY_KEY_LENGTH_OFFSET, (byte)keyBytes.length);
            buffer.putIntRelease(entry + ENTRY_SEQUENCE_OFFSET, sequence + 2);
            buffer.getAndAddInt(CHANGE_COUNTER_OFFSET, 1);
            watches.fire(key);
            return OK;
        }
        return BUSY;
    }

    /** Writes a decimal number. */
    public int write(final String key, final long value)
    {
        return write(key, Long.toString(value));
    }

    /**
     * Removes a key.
     *
     * @return {@link #OK} (also when absent) or {@link #BUSY}.
     */
    public int remove(final String key)
    {
        final byte[] keyBytes = key.getBytes(StandardCharsets.US_ASCII);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
        {
            final int index = find(keyBytes);
            if (index < 0)
            {
                return OK;
            }
            final int entry = entryOffset(index);
            final int sequence = buffer.getIntVolatile(entry + ENTRY_SEQUENCE_OFFSET);
            if ((sequence & 1) != 0 || !buffer.compareAndSetInt(entry + ENTRY_SEQUENCE_OFFSET, sequence, sequence + 1))
            {
                Thread.onSpinWait();
                continue;
            }
            final boolean removed = keyEquals(entry, keyBytes);
            if (removed)
            {
                buffer.putByte(entry + ENTRY_KEY_LENGTH_OFFSET, (byte)0);
                buffer.putByte(entry + ENTRY_VALUE_LENGTH_OFFSET, (byte)0);
            }
            buffer.putIntRelease(entry + ENTRY_SEQUENCE_OFFSET, sequence + 2);
            buffer.getAndAddInt(CHANGE_COUNTER_OFFSET, 1);
            if (removed)
            {
                watches.fire(key);
            }
        }
        return BUSY;
    }

    /** Removes every key that starts with {@code prefix}. */
    public void removeTree(final String prefix)
    {
        for (int i = 0; i < entryCount; i++)
        {
            final String key = keyAt(i);
            if (key != null && key.startsWith(prefix))
            {
                remove(key);
            }
        }
    }

    /**
     * Reads a value.
     *
     * @return the value, or {@code null} when the key is absent or its entry is unreadable (torn beyond the retry bound,
     * bad lengths or characters).
     */
    public String read(final String key)
    {
        final byte[] keyBytes = key.getBytes(StandardCharsets.US_ASCII);
        // acquire before the scan: a write published after this load bumps the counter and voids the cached absence
        final int change = changeCounter();
        final Integer absent = absentAt.get(key);
        if (absent != null && absent == change)
        {
            return null;
        }
        final int index = find(keyBytes);
        if (index < 0)
        {
            if (absentAt.size() < 4 * entryCount)
            {
                absentAt.put(key, change);
            }
            return null;
        }
        final byte[] value = new byte[MAX_VALUE_LENGTH];
        final int entry = entryOffset(index);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
        {
            final int sequence = buffer.getIntAcquire(entry + ENTRY_SEQUENCE_OFFSET);
            if ((sequence & 1) != 0)
            {
                Thread.onSpinWait();
                continue;
            }
            final boolean sameKey = keyEquals(entry, keyBytes);
            final int valueLength = buffer.getByte(entry + ENTRY_VALUE_LENGTH_OFFSET) & 0xFF;
            final int copied = Math.min(valueLength, MAX_VALUE_LENGTH);
            buffer.getBytes(entry + ENTRY_VALUE_OFFSET, value, 0, copied);
            // Order the copy before the re-check of the sequence (a seqlock reader's second load).
            java.lang.invoke.VarHandle.loadLoadFence();
            if (buffer.getIntVolatile(entry + ENTRY_SEQUENCE_OFFSET) != sequence)
            {
                continue;
            }
            if (!sameKey || valueLength > MAX_VALUE_LENGTH || !printable(value, copied))
            {
                return null;
            }
            return new String(value, 0, copied, StandardCharsets.US_ASCII);
        }
        return null;
    }

    /**
     * Reads a decimal value with the exact range of {@code widthBytes} (1, 2, 4 or 8; {@code signed} or not).
     *
     * @return the value, or {@code missing} when absent, unreadable, not a number or out of range.
     */
    public long readNumber(final String key, final int widthBytes, final boolean signed, final long missing)
    {
        final String value = read(key);
        if (value == null)
        {
            return missing;
        }
        final StoreValueScanner scanner = new StoreValueScanner().wrap(value);
        final boolean ok = signed ? scanner.scanSigned(widthBytes) : scanner.scanUnsigned(widthBytes);
        return ok && scanner.atEnd() ? scanner.value() : missing;
    }

    /** @return whether the key holds the number 1 (the form of Xen's feature flags); absent or unreadable is false. */
    public boolean readFlag(final String key)
    {
        return readNumber(key, 4, false, 0) == 1;
    }

    /** @return the XenBus state under {@code directory + "/state"}, {@link XenbusState#UNKNOWN} if absent or bad. */
    public XenbusState readState(final String directory)
    {
        return XenbusState.fromCode(readNumber(directory + "/state", 1, false, 0));
    }

    /** Writes the XenBus state under {@code directory + "/state"}. */
    public int writeState(final String directory, final XenbusState state)
    {
        return write(directory + "/state", state.code());
    }

    /** @return the key of entry {@code index}, or null if free or unreadable. For dumps and {@link #removeTree}. */
    public String keyAt(final int index)
    {
        final int entry = entryOffset(index);
        final byte[] key = new byte[MAX_KEY_LENGTH];
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
        {
            final int sequence = buffer.getIntAcquire(entry + ENTRY_SEQUENCE_OFFSET);
            if ((sequence & 1) != 0)
            {
                Thread.onSpinWait();
                continue;
            }
            final int keyLength = buffer.getByte(entry + ENTRY_KEY_LENGTH_OFFSET) & 0xFF;
            final int copied = Math.min(keyLength, MAX_KEY_LENGTH);
            buffer.getBytes(entry + ENTRY_KEY_OFFSET, key, 0, copied);
            java.lang.invoke.VarHandle.loadLoadFence();
            if (buffer.getIntVolatile(entry + ENTRY_SEQUENCE_OFFSET) != sequence)
            {
                continue;
            }
            if (keyLength == 0 || keyLength > MAX_KEY_LENGTH || !printable(key, copied))
            {
                return null;
            }
            return new String(key, 0, copied, StandardCharsets.US_ASCII);
        }
        return null;
    }

    private int find(final byte[] keyBytes)
    {
        final int hash = java.util.Arrays.hashCode(keyBytes);
        final int slot = hash & (foundAt.length - 1);
        final int hint = foundAt[slot] - 1;
        if (hint >= 0 && hint < entryCount && keyEquals(entryOffset(hint), keyBytes))
        {
            return hint;
        }
        // linear probing from the key's home entry: a key is never placed beyond an entry that was never used (its
        // sequence still 0), because an insert takes the first free entry from home and entries only ever advance
        // their sequence; so an absent key costs a few entries, not the whole store (65,000 entries at 1,024 vifs)
        final int home = home(hash);
        for (int n = 0; n < entryCount; n++)
        {
            final int i = home + n < entryCount ? home + n : home + n - entryCount;
            final int entry = entryOffset(i);
            if (keyEquals(entry, keyBytes))
            {
                foundAt[slot] = i + 1;
                return i;
            }
            if (buffer.getIntVolatile(entry + ENTRY_SEQUENCE_OFFSET) == 0 &&
                (buffer.getByteVolatile(entry + ENTRY_KEY_LENGTH_OFFSET) & 0xFF) == 0)
            {
                return -1;
            }
        }
        return -1;
    }

    private int home(final int hash)
    {
        return Math.floorMod(hash * 0x9E3779B9, entryCount);
    }

    private int findFree(final byte[] keyBytes)
    {
        final int start = home(java.util.Arrays.hashCode(keyBytes));
        for (int n = 0; n < entryCount; n++)
        {
            final int i = start + n < entryCount ? start + n : start + n - entryCount;
            if ((buffer.getByteVolatile(entryOffset(i) + ENTRY_KEY_LENGTH_OFFSET) & 0xFF) == 0)
            {
                return i;
            }
        }
        return -1;
    }

    private boolean keyEquals(final int entry, final byte[] keyBytes)
    {
        if ((buffer.getByteVolatile(entry + ENTRY_KEY_LENGTH_OFFSET) & 0xFF) != keyBytes.length)
        {
            return false;
        }
        for (int i = 0; i < keyBytes.length; i++)
        {
            if (buffer.getByte(entry + ENTRY_KEY_OFFSET + i) != keyBytes[i])
            {
                return false;
            }
        }
        return true;
    }

    private static boolean printable(final byte[] bytes, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (bytes[i] < 0x20 || bytes[i] > 0x7E)
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] checkedBytes(final String what, final String text, final int maxLength)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > maxLength || !printable(bytes, bytes.length) || !text.equals(new String(bytes, StandardCharsets.US_ASCII)))
        {
            throw new IllegalArgumentException(what + "=\"" + text + "\" must be printable US-ASCII of at most " + maxLength +
                " bytes");
        }
        return bytes;
    }
}

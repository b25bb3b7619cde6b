package io.pvnet.engine.control;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The messages of a guest's control connection (pvnet's XenBus): one {@code SOCK_SEQPACKET} message each, a type byte
 * then its fields (u32 integers, u64 lengths, strings as u16 length + UTF-8), big-endian.
 * <pre>
 *  guest -> host   ATTACH   u32 domid, u32 handle            ask for vif domid.handle
 *  host -> guest   ATTACHED u64 shareBytes  + 2 fds          the guest's sealed memfd (see GuestShare), then its
 *                                                             kick eventfd (written to wake the host, vhost-user's
 *                                                             kick fd; the host wakes the guest by FUTEX_WAKE on the
 *                                                             guest's event word in the memfd); the memfd's
 *                                                             region header records what the host is (creator
 *                                                             role: switch, bench, latency), no message
 *                                                             carries: the guest's messages name it from there
 *  host -> guest   REFUSED  string reason                     then the host closes the connection
 *  guest -> host   WRITE    string key, string value          a store write (only under the vif's frontend dir)
 *  guest -> host   REMOVE   string key                        a store removal (same rule)
 *  host -> guest   UPDATE   string key, string value          watch event: a key of the vif's dirs changed
 *  host -> guest   DELETED  string key                        watch event: a key of the vif's dirs went away
 *  guest -> host   COUNTERS u8 n, n x u64                     the frontend's own counters (VifCounters FRONT_*, in
 *                                                             order), totals since attach; the host adds what grew to
 *                                                             its counters file, which no guest can write
 * </pre>
 * {@link #decode} refuses anything malformed (unknown type, short or trailing bytes) with an
 * {@link IllegalArgumentException}; a host receiving one closes that guest's connection and counts it.
 */
public record ControlMessage(int type, int domid, int handle, long shareBytes, String key, String value, long[] counts)
{
    public static final int ATTACH = 1;
    public static final int ATTACHED = 2;
    public static final int REFUSED = 3;
    public static final int WRITE = 4;
    public static final int REMOVE = 5;
    public static final int UPDATE = 6;
    public static final int DELETED = 7;
    public static final int COUNTERS = 8;

    /** Most counts a {@link #COUNTERS} message carries. */
    public static final int MAX_COUNTS = 16;

    /** Longest key or value carried (the store's own limits are smaller). */
    public static final int MAX_STRING_BYTES = 1024;

    public static ControlMessage attach(final int domid, final int handle)
    {
        return new ControlMessage(ATTACH, domid, handle, 0, null, null, null);
    }

    public static ControlMessage attached(final long shareBytes)
    {
        return new ControlMessage(ATTACHED, 0, 0, shareBytes, null, null, null);
    }

    public static ControlMessage refused(final String reason)
    {
        return new ControlMessage(REFUSED, 0, 0, 0, null, reason.length() > 512 ? reason.substring(0, 512) : reason, null);
    }

    public static ControlMessage write(final String key, final String value)
    {
        return new ControlMessage(WRITE, 0, 0, 0, key, value, null);
    }

    public static ControlMessage remove(final String key)
    {
        return new ControlMessage(REMOVE, 0, 0, 0, key, null, null);
    }

    public static ControlMessage update(final String key, final String value)
    {
        return new ControlMessage(UPDATE, 0, 0, 0, key, value, null);
    }

    public static ControlMessage deleted(final String key)
    {
        return new ControlMessage(DELETED, 0, 0, 0, key, null, null);
    }

    /**
     * {@return a report of the frontend's own counters, totals since it attached}
     *
     * @param counts at most {@link #MAX_COUNTS} values, each >= 0; copied.
     */
    public static ControlMessage counters(final long[] counts)
    {
        if (counts.length > MAX_COUNTS)
        {
            throw new IllegalArgumentException(counts.length + " counts, at most " + MAX_COUNTS);
        }
        for (final long count : counts)
        {
            if (count < 0)
            {
                throw new IllegalArgumentException("negative count " + count);
            }
        }
        return new ControlMessage(COUNTERS, 0, 0, 0, null, null, counts.clone());
    }

    /** Equal when every field is, the counts compared element by element (a record compares arrays by identity). */
    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ControlMessage m && type == m.type && domid == m.domid && handle == m.handle &&
            shareBytes == m.shareBytes && java.util.Objects.equals(key, m.key) &&
            java.util.Objects.equals(value, m.value) && java.util.Arrays.equals(counts, m.counts);
    }

    @Override
    public int hashCode()
    {
        return java.util.Objects.hash(type, domid, handle, shareBytes, key, value) * 31 + java.util.Arrays.hashCode(counts);
    }

    @Override
    public String toString()
    {
        return "ControlMessage[type=" + type + ", domid=" + domid + ", handle=" + handle + ", shareBytes=" + shareBytes +
            ", key=" + key + ", value=" + value + ", counts=" + java.util.Arrays.toString(counts) + "]";
    }

    /** @return the message's bytes. */
    public byte[] encode()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeByte(type);
            switch (type)
            {
                case ATTACH ->
                {
                    out.writeInt(domid);
                    out.writeInt(handle);
                }
                case ATTACHED -> out.writeLong(shareBytes);
                case REFUSED -> out.writeUTF(value);
                case WRITE, UPDATE ->
                {
                    out.writeUTF(key);
                    out.writeUTF(value);
                }
                case REMOVE, DELETED -> out.writeUTF(key);
                case COUNTERS ->
                {
                    out.writeByte(counts.length);
                    for (final long count : counts)
                    {
                        out.writeLong(count);
                    }
                }
                default -> throw new IllegalArgumentException("type=" + type);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    /**
     * @return the message in {@code bytes}.
     * @throws IllegalArgumentException naming what is malformed.
     */
    public static ControlMessage decode(final byte[] bytes)
    {
        if (bytes.length == 0)
        {
            throw new IllegalArgumentException("empty control message");
        }
        final ByteArrayInputStream input = new ByteArrayInputStream(bytes);
        try (DataInputStream in = new DataInputStream(input))
        {
            final int type = in.readUnsignedByte();
            final ControlMessage message = switch (type)
            {
                case ATTACH -> attach(in.readInt(), in.readInt());
                case ATTACHED -> attached(in.readLong());
                case REFUSED -> refused(string(in));
                case WRITE -> write(string(in), string(in));
                case UPDATE -> update(string(in), string(in));
                case REMOVE -> remove(string(in));
                case DELETED -> deleted(string(in));
                case COUNTERS -> counters(counts(in));
                default -> throw new IllegalArgumentException("unknown control message type=" + type);
            };
            if (input.available() != 0)
            {
                throw new IllegalArgumentException("control message type=" + type + " has " + input.available() +
                    " trailing bytes");
            }
            return message;
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("malformed control message of " + bytes.length + " bytes: " + ex);
        }
    }

    private static long[] counts(final DataInputStream in) throws IOException
    {
        final int n = in.readUnsignedByte();
        if (n > MAX_COUNTS)
        {
            throw new IllegalArgumentException(n + " counts, at most " + MAX_COUNTS);
        }
        final long[] counts = new long[n];
        for (int i = 0; i < n; i++)
        {
            counts[i] = in.readLong();
        }
        return counts;
    }

    private static String string(final DataInputStream in) throws IOException
    {
        final String text = in.readUTF();
        if (text.length() > MAX_STRING_BYTES)
        {
            throw new IllegalArgumentException("string of " + text.length() + " characters");
        }
        return text;
    }
}

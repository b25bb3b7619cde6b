package io.pvnet.engine.control;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The administrator's messages on the switch's control socket ({@code pvnet stat}, {@code pvnet ifconfig}): what a
 * tool may see and change of a switch whose memory no other process can map. One {@code SOCK_SEQPACKET} message each,
 * a type byte (0x41 and up, apart from the guests' {@link ControlMessage} types) then its fields, big-endian, strings
 * as u16 length + UTF-8.
 * <pre>
 *  tool -> host   COUNTERS                                   ask for the counters
 *  host -> tool   COUNTERS_FD u64 lengthBytes  + 1 fd        the counters memfd, sealed so only the switch writes it
 *  tool -> host   READ     u32 domid, u32 handle             the keys of vif domid.handle (both directories)
 *  host -> tool   KEYS     u16 n, n x (string key, string value)
 *  tool -> host   WRITE    u32 domid, u32 handle, string name, string value   one ifconfig setting (backend key)
 *  host -> tool   DONE
 *  host -> tool   ERROR    string reason                     refused (not an administrator, no such vif, bad key)
 * </pre>
 * {@link #decode} refuses anything malformed with an {@link IllegalArgumentException}.
 */
public record AdminMessage(int type, int domid, int handle, long lengthBytes, String name, String value,
    Map<String, String> keys)
{
    public static final int COUNTERS = 0x41;
    public static final int COUNTERS_FD = 0x42;
    public static final int READ = 0x43;
    public static final int KEYS = 0x44;
    public static final int WRITE = 0x45;
    public static final int DONE = 0x46;
    public static final int ERROR = 0x47;

    /** Most keys in one KEYS answer (a vif has about 60). */
    public static final int MAX_KEYS = 1024;

    /** @return whether {@code bytes} is an administrator's message (its type byte), not a guest's. */
    public static boolean isAdmin(final byte[] bytes)
    {
        return bytes.length > 0 && (bytes[0] & 0xFF) >= COUNTERS && (bytes[0] & 0xFF) <= ERROR;
    }

    /** @return a request for the counters. */
    public static AdminMessage counters()
    {
        return new AdminMessage(COUNTERS, 0, 0, 0, null, null, null);
    }

    /** @return the answer carrying the counters' memfd of {@code lengthBytes}. */
    public static AdminMessage countersFd(final long lengthBytes)
    {
        return new AdminMessage(COUNTERS_FD, 0, 0, lengthBytes, null, null, null);
    }

    /** @return a request for the keys of vif {@code domid.handle}. */
    public static AdminMessage read(final int domid, final int handle)
    {
        return new AdminMessage(READ, domid, handle, 0, null, null, null);
    }

    /** @return the answer to {@link #read}. */
    public static AdminMessage keys(final Map<String, String> keys)
    {
        return new AdminMessage(KEYS, 0, 0, 0, null, null, Map.copyOf(keys));
    }

    /** @return a request to set backend key {@code name} of vif {@code domid.handle} to {@code value}. */
    public static AdminMessage write(final int domid, final int handle, final String name, final String value)
    {
        return new AdminMessage(WRITE, domid, handle, 0, name, value, null);
    }

    /** @return the answer to a write that was applied. */
    public static AdminMessage done()
    {
        return new AdminMessage(DONE, 0, 0, 0, null, null, null);
    }

    /** @return a refusal naming why. */
    public static AdminMessage error(final String reason)
    {
        return new AdminMessage(ERROR, 0, 0, 0, null, reason.length() > 512 ? reason.substring(0, 512) : reason, null);
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
                case COUNTERS, DONE ->
                {
                }
                case COUNTERS_FD -> out.writeLong(lengthBytes);
                case READ ->
                {
                    out.writeInt(domid);
                    out.writeInt(handle);
                }
                case KEYS ->
                {
                    out.writeShort(keys.size());
                    for (final Map.Entry<String, String> entry : keys.entrySet())
                    {
                        out.writeUTF(entry.getKey());
                        out.writeUTF(entry.getValue());
                    }
                }
                case WRITE ->
                {
                    out.writeInt(domid);
                    out.writeInt(handle);
                    out.writeUTF(name);
                    out.writeUTF(value);
                }
                case ERROR -> out.writeUTF(value);
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
     * @throws IllegalArgumentException naming what is malformed (unknown type, short or trailing bytes, too many keys).
     */
    public static AdminMessage decode(final byte[] bytes)
    {
        if (bytes.length == 0)
        {
            throw new IllegalArgumentException("empty admin message");
        }
        final ByteArrayInputStream input = new ByteArrayInputStream(bytes);
        try (DataInputStream in = new DataInputStream(input))
        {
            final int type = in.readUnsignedByte();
            final AdminMessage message = switch (type)
            {
                case COUNTERS -> counters();
                case COUNTERS_FD -> countersFd(in.readLong());
                case READ -> read(in.readInt(), in.readInt());
                case KEYS -> keys(readKeys(in));
                case WRITE -> write(in.readInt(), in.readInt(), string(in), string(in));
                case DONE -> done();
                case ERROR -> error(string(in));
                default -> throw new IllegalArgumentException("unknown admin message type=" + type);
            };
            if (input.available() != 0)
            {
                throw new IllegalArgumentException("admin message type=" + type + " has " + input.available() +
                    " trailing bytes");
            }
            return message;
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("malformed admin message of " + bytes.length + " bytes: " + ex);
        }
    }

    private static Map<String, String> readKeys(final DataInputStream in) throws IOException
    {
        final int count = in.readUnsignedShort();
        if (count > MAX_KEYS)
        {
            throw new IllegalArgumentException("KEYS of " + count + " keys (at most " + MAX_KEYS + ")");
        }
        final Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < count; i++)
        {
            keys.put(string(in), string(in));
        }
        return keys;
    }

    private static String string(final DataInputStream in) throws IOException
    {
        final String text = in.readUTF();
        if (text.length() > ControlMessage.MAX_STRING_BYTES)
        {
            throw new IllegalArgumentException("string of " + text.length() + " characters");
        }
        return text;
    }
}

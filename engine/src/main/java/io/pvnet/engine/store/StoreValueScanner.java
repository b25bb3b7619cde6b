package io.pvnet.engine.store;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * A bounded decimal scanner for XenStore values: the subset of {@code sscanf} that Xen drivers use ({@code %hhd %hhu %hd
 * %hu %d %u %lld %llu %n} and literals), with the exact range of the destination width and no write beyond it.
 * <p>
 * Reusable; not thread safe. Scanning never throws: each method returns whether it matched, leaving the position unchanged
 * when it did not.
 */
public final class StoreValueScanner
{
    private CharSequence text = "";
    private int position;
    private long value;

    /** Starts scanning {@code text} from its beginning. */
    public StoreValueScanner wrap(final CharSequence text)
    {
        this.text = text;
        this.position = 0;
        this.value = 0;
        return this;
    }

    /** @return characters consumed so far: what {@code %n} stores. */
    public int position()
    {
        return position;
    }

    /** @return whether the whole text has been consumed. */
    public boolean atEnd()
    {
        return position == text.length();
    }

    /** @return the last scanned number (for unsigned 64-bit, read it with {@link Long#toUnsignedString}). */
    public long value()
    {
        return value;
    }

    /** Matches {@code literal} exactly at the current position. */
    public boolean literal(final CharSequence literal)
    {
        if (text.length() - position < literal.length())
        {
            return false;
        }
        for (int i = 0; i < literal.length(); i++)
        {
            if (text.charAt(position + i) != literal.charAt(i))
            {
                return false;
            }
        }
        position += literal.length();
        return true;
    }

    /**
     * Scans an optionally signed decimal that must fit a two's complement integer of {@code widthBytes} (1, 2, 4, 8).
     *
     * @return whether a number in range was scanned.
     */
    public boolean scanSigned(final int widthBytes)
    {
        final int bits = checkWidth(widthBytes);
        int i = position;
        boolean negative = false;
        if (i < text.length() && (text.charAt(i) == '-' || text.charAt(i) == '+'))
        {
            negative = text.charAt(i) == '-';
            i++;
        }
        // Accumulate as a negative number: its range is one larger, so the minimum of each width is reachable.
        final long min = bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1));
        final long limit = negative ? min : min + 1;
        final int start = i;
        long accumulator = 0;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9')
        {
            final int digit = text.charAt(i) - '0';
            // accumulator * 10 - digit >= limit; division truncates towards zero, i.e. rounds up for negatives
            if (accumulator < (limit + digit) / 10)
            {
                return false;
            }
            accumulator = accumulator * 10 - digit;
            i++;
        }
        if (i == start)
        {
            return false;
        }
        value = negative ? accumulator : -accumulator;
        position = i;
        return true;
    }

    /**
     * Scans an unsigned decimal that must fit {@code widthBytes} (1, 2, 4, 8); no sign accepted.
     *
     * @return whether a number in range was scanned.
     */
    public boolean scanUnsigned(final int widthBytes)
    {
        final int bits = checkWidth(widthBytes);
        final long max = bits == 64 ? -1L : (1L << bits) - 1;
        int i = position;
        long accumulator = 0;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9')
        {
            final int digit = text.charAt(i) - '0';
            // accumulator * 10 + digit <= max, unsigned, without overflow
            if (Long.compareUnsigned(accumulator, Long.divideUnsigned(max - digit, 10)) > 0)
            {
                return false;
            }
            accumulator = accumulator * 10 + digit;
            i++;
        }
        if (i == position)
        {
            return false;
        }
        value = accumulator;
        position = i;
        return true;
    }

    /** Stores the low {@code widthBytes} of {@link #value()} at {@code index}, little-endian, touching nothing else. */
    public void store(final MutableDirectBuffer buffer, final int index, final int widthBytes)
    {
        switch (checkWidth(widthBytes))
        {
            case 8 -> buffer.putByte(index, (byte)value);
            case 16 -> buffer.putShort(index, (short)value, ByteOrder.LITTLE_ENDIAN);
            case 32 -> buffer.putInt(index, (int)value, ByteOrder.LITTLE_ENDIAN);
            default -> buffer.putLong(index, value, ByteOrder.LITTLE_ENDIAN);
        }
    }

    private static int checkWidth(final int widthBytes)
    {
        if (widthBytes != 1 && widthBytes != 2 && widthBytes != 4 && widthBytes != 8)
        {
            throw new IllegalArgumentException("widthBytes=" + widthBytes + " must be 1, 2, 4 or 8");
        }
        return widthBytes * 8;
    }
}

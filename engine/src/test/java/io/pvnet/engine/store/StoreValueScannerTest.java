package io.pvnet.engine.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/**
 * FreeBSD netback unit tests #49-53 ({@code xnb_sscanf_hhd}, {@code _hhu}, {@code _lld}, {@code _llu}, {@code _hhn}),
 * which test the XenStore value parser for exact width and no overrun, ported to {@link StoreValueScanner}; plus range edges.
 */
class StoreValueScannerTest
{
    private final StoreValueScanner scanner = new StoreValueScanner();

    @Test
    void shouldScanSignedByteLikeSscanfHhd()
    {
        final UnsafeBuffer dest = filled(12, (byte)'X');
        assertTrue(scanner.wrap("-27").scanSigned(1));
        scanner.store(dest, 4, 1);
        assertEquals(-27, dest.getByte(4));
        assertNeighboursIntact(dest, 4, 1, (byte)'X');
    }

    @Test
    void shouldScanUnsignedByteLikeSscanfHhuWithoutTouchingNeighbours()
    {
        final UnsafeBuffer dest = filled(12, (byte)'X');
        assertTrue(scanner.wrap("137").scanUnsigned(1));
        scanner.store(dest, 4, 1);
        assertEquals(137, dest.getByte(4) & 0xFF);
        assertNeighboursIntact(dest, 4, 1, (byte)'X');
    }

    @Test
    void shouldScanSignedLongLikeSscanfLldIntoTheMiddleOfThreeWords()
    {
        final UnsafeBuffer dest = deadbeefWords();
        assertTrue(scanner.wrap("-123456789012345").scanSigned(8));
        scanner.store(dest, 8, 8);
        assertEquals(-123456789012345L, dest.getLong(8, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0xdeadbeefdeadbeefL, dest.getLong(0, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0xdeadbeefdeadbeefL, dest.getLong(16, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void shouldScanUnsignedLongAbove2To63ExactlyLikeSscanfLlu()
    {
        final UnsafeBuffer dest = deadbeefWords();
        assertTrue(scanner.wrap("12802747070103273189").scanUnsigned(8));
        scanner.store(dest, 8, 8);
        assertEquals("12802747070103273189", Long.toUnsignedString(dest.getLong(8, ByteOrder.LITTLE_ENDIAN)));
        assertEquals(0xdeadbeefdeadbeefL, dest.getLong(0, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0xdeadbeefdeadbeefL, dest.getLong(16, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void shouldCountCharactersAfterALongLiteralLikeSscanfHhn()
    {
        final String literal = ("0123456789abcdef").repeat(10);
        assertEquals(160, literal.length());
        assertTrue(scanner.wrap(literal).literal(literal));
        final UnsafeBuffer dest = filled(12, (byte)'X');
        final int position = scanner.position();
        assertTrue(scanner.wrap(Integer.toString(position)).scanUnsigned(1));
        scanner.store(dest, 4, 1);
        assertEquals(160, dest.getByte(4) & 0xFF);
        assertNeighboursIntact(dest, 4, 1, (byte)'X');
    }

    @Test
    void shouldRejectValuesOutOfTheExactWidth()
    {
        assertTrue(scanner.wrap("-128").scanSigned(1));
        assertEquals(-128, scanner.value());
        assertTrue(scanner.wrap("127").scanSigned(1));
        assertFalse(scanner.wrap("128").scanSigned(1));
        assertFalse(scanner.wrap("-129").scanSigned(1));
        assertTrue(scanner.wrap("255").scanUnsigned(1));
        assertFalse(scanner.wrap("256").scanUnsigned(1));
        assertFalse(scanner.wrap("-1").scanUnsigned(1));
        assertTrue(scanner.wrap("-9223372036854775808").scanSigned(8));
        assertEquals(Long.MIN_VALUE, scanner.value());
        assertFalse(scanner.wrap("9223372036854775808").scanSigned(8));
        assertTrue(scanner.wrap("18446744073709551615").scanUnsigned(8));
        assertEquals(-1L, scanner.value());
        assertFalse(scanner.wrap("18446744073709551616").scanUnsigned(8));
        assertFalse(scanner.wrap("").scanUnsigned(4));
        assertFalse(scanner.wrap("-").scanSigned(4));
        assertEquals(0, scanner.position(), "a failed scan leaves the position");
    }

    @Test
    void shouldAgreeWithTheJdkParserOnRandomNumbers()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < 100_000; i++)
        {
            final int width = 1 << random.nextInt(4);
            final long v = random.nextLong() >> random.nextInt(64);
            final String text = Long.toString(v);
            final long min = width == 8 ? Long.MIN_VALUE : -(1L << (width * 8 - 1));
            final long max = width == 8 ? Long.MAX_VALUE : (1L << (width * 8 - 1)) - 1;
            assertEquals(v >= min && v <= max, scanner.wrap(text).scanSigned(width), text);
            if (v >= min && v <= max)
            {
                assertEquals(v, scanner.value());
            }
        }
    }

    private static UnsafeBuffer filled(final int length, final byte value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.setMemory(0, length, value);
        return buffer;
    }

    private static UnsafeBuffer deadbeefWords()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[24]);
        for (int i = 0; i < 3; i++)
        {
            buffer.putLong(i * 8, 0xdeadbeefdeadbeefL, ByteOrder.LITTLE_ENDIAN);
        }
        return buffer;
    }

    private static void assertNeighboursIntact(final UnsafeBuffer buffer, final int index, final int width, final byte fill)
    {
        for (int i = 0; i < buffer.capacity(); i++)
        {
            if (i < index || i >= index + width)
            {
                assertEquals(fill, buffer.getByte(i), "byte " + i);
            }
        }
    }
}

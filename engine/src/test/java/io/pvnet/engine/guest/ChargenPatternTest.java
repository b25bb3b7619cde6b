package io.pvnet.engine.guest;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The RFC 864 stream as BSD inetd's chargen sends it, from any offset, across the end of its period. */
class ChargenPatternTest
{
    private static String copy(final ChargenPattern pattern, final long offset, final int length)
    {
        final UnsafeBuffer to = new UnsafeBuffer(new byte[length + 8]);
        pattern.copy(offset, to, 4, length);
        final byte[] bytes = new byte[length];
        to.getBytes(4, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void shouldSendInetdsFirstLinesStartingWithASpaceThenShiftingByOne()
    {
        final ChargenPattern pattern = new ChargenPattern(1024);
        // FreeBSD inetd's chargen_stream: the ring of isprint() characters from ' ', 72 per line, CR LF
        final String first = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n";
        final String second = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n";
        assertEquals(74, first.length());
        assertEquals(first + second, copy(pattern, 0, 148));
    }

    @Test
    void shouldWrapTheCharacterRingWithinALineAndRepeatAfter95Lines()
    {
        final ChargenPattern pattern = new ChargenPattern(1024);
        // line 30 starts at '>' (32 + 30) and runs past '~' back to ' '
        final String line30 = copy(pattern, 30L * 74, 74);
        assertEquals('>', line30.charAt(0));
        assertEquals("~ !", line30.substring(64, 67));
        assertEquals(ChargenPattern.PERIOD, 95 * 74);
        assertEquals(copy(pattern, 0, 500), copy(pattern, ChargenPattern.PERIOD, 500));
        assertEquals(copy(pattern, 7, 300), copy(pattern, 7 + 3L * ChargenPattern.PERIOD, 300));
    }

    @Test
    void shouldCopyAcrossTheEndOfThePeriodAsTheStreamGoesOn()
    {
        final ChargenPattern pattern = new ChargenPattern(1024);
        final long offset = ChargenPattern.PERIOD - 100;
        final String across = copy(pattern, offset, 1024);
        assertEquals(copy(pattern, offset, 100) + copy(pattern, 0, 924), across);
        // the last line, 94, starts at '~' and wraps to ' ' at once; its 72nd character is the ring's 94 + 71 - 95 = 70th
        assertEquals("~ !", across.substring(100 - 74, 100 - 71));
        assertEquals("f\r\n", across.substring(100 - 3, 100));
    }

    @Test
    void shouldRefuseACopyLongerThanItWasMadeFor()
    {
        final ChargenPattern pattern = new ChargenPattern(64);
        assertThrows(IllegalArgumentException.class, () -> pattern.copy(0, new UnsafeBuffer(new byte[128]), 0, 65));
    }
}

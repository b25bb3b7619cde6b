package io.pvnet.ring.event;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdlePropertiesTest
{
    private static final String NAME = "pvnet.idle.test.property";

    @AfterEach
    void clear()
    {
        System.clearProperty(NAME);
    }

    @Test
    void shouldTurnADefaultOnLeverOffOnlyForFalse()
    {
        assertTrue(IdleProperties.onUnlessFalse(NAME), "unset");
        for (final String on : new String[] {"", "1", "on", "true", "ture", "yes"})
        {
            System.setProperty(NAME, on);
            assertTrue(IdleProperties.onUnlessFalse(NAME), "'" + on + "' keeps it on");
        }
        for (final String off : new String[] {"false", "FALSE", "False"})
        {
            System.setProperty(NAME, off);
            assertFalse(IdleProperties.onUnlessFalse(NAME), off);
        }
    }

    @Test
    void shouldParseWholeNumbersAndFallBackWithOneLineNamingTheValue()
    {
        assertEquals(10, parse(null, ""));
        assertEquals(25, parse("25", ""));
        assertEquals(0, parse("0", ""));
        assertEquals(7, parse(" 7 ", ""));
        for (final String bad : new String[] {"ten", "", "-3", "1.5", "99999999999999999999"})
        {
            final String line =
                "pvnet: " + NAME + "=" + bad + " is not a whole number >= 0: using 10" + System.lineSeparator();
            assertEquals(10, parse(bad, line), bad);
        }
    }

    private long parse(final String value, final String expectedStderr)
    {
        if (value != null)
        {
            System.setProperty(NAME, value);
        }
        final PrintStream err = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            return IdleProperties.nonNegativeLong(NAME, 10);
        }
        finally
        {
            System.setErr(err);
            assertEquals(expectedStderr, captured.toString(StandardCharsets.UTF_8));
        }
    }
}

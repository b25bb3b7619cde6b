package io.pvnet.pci.spec;

import io.pvnet.pci.PciAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuirkTest
{
    @Test
    void shouldParseTheQuirksFileSyntax()
    {
        assertEquals(new Quirk(PciAddress.parse("00:19.0"), 0xE0, 2, 0xFF), Quirk.parse("00:19.0-E0:2:FF"));
        assertEquals(new Quirk(PciAddress.parse("0001:02:03.4"), 0x100, 4, 0xFFFFFFFF),
            Quirk.parse("0001:02:03.4-100:4:FFFFFFFF"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "00:19.0-E1:2:FF|8|not aligned",
        "00:19.0-E0:3:FF|11|size must be 1, 2 or 4",
        "00:19.0-1000:4:FF|8|more than 3 hex digits",
        "00:19.0-E0:1:1FF|13|mask 0x1ff out of range",
        "00:19.0|7|expected '-'",
        "00:19.0-E0:2:FFx|15|unexpected text"})
    void shouldPointAtTheOffendingText(final String text, final int position, final String reason)
    {
        final SpecSyntaxException ex = assertThrows(SpecSyntaxException.class, () -> Quirk.parse(text));
        assertEquals(position, ex.position(), ex.getMessage());
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }
}

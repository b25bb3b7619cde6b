package io.pvnet.pci.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DomainConfigParserTest
{
    @Test
    void shouldReadThePciListOfAnXlConfiguration()
    {
        final DomainConfig config = DomainConfigParser.parse("""
            # a guest
            name = "router"
            memory = 512
            vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]
            pci = [ '0000:03:00.0',
                    "04:00.1@5,permissive=1,seize=1",   # a comment inside the list
                    '0001:05:1f.*,msitranslate=1,power_mgmt=0,rdm_policy=relaxed', ]
            on_crash = "restart"
            """);
        assertEquals("router", config.name());
        assertEquals(3, config.pci().size());
        final PciAssignment first = config.pci().get(0);
        assertEquals(new PciSelector(0, 3, 0, 0), first.selector());
        assertEquals(-1, first.virtualSlot());
        assertFalse(first.permissive());
        final PciAssignment second = config.pci().get(1);
        assertEquals(new PciSelector(0, 4, 0, 1), second.selector());
        assertEquals(5, second.virtualSlot());
        assertTrue(second.permissive());
        assertTrue(second.seize());
        final PciAssignment third = config.pci().get(2);
        assertEquals(new PciSelector(1, 5, 0x1f, PciSelector.ANY), third.selector());
        assertTrue(third.msiTranslate());
        assertEquals("relaxed", third.rdmPolicy());
    }

    @Test
    void shouldAllowAConfigurationWithoutPci()
    {
        assertTrue(DomainConfigParser.parse("name='a'\nmemory=128\n").pci().isEmpty());
    }

    @Test
    void shouldRejectPermissiveTrueInsteadOfDroppingItSilently()
    {
        // Qubes #8414: permissive=True was silently ignored
        final String text = "name = 'q'\npci = [ '03:00.0,permissive=True' ]\n";
        final SpecSyntaxException ex = assertThrows(SpecSyntaxException.class, () -> DomainConfigParser.parse(text));
        assertEquals(text.indexOf("True"), ex.position());
        assertEquals(2, ex.line());
        assertEquals(text.indexOf("True") - text.indexOf("pci") + 1, ex.column());
        assertTrue(ex.getMessage().contains("permissive must be 0 or 1"), ex.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "pci = [ '03:00.0,bogus=1' ]|17|unknown option 'bogus'",
        "pci = [ '03:00.0' '04:00.0' ]|18|or ',' in the pci list",
        "pci = [ '03:00.0 ]|8|unterminated string",
        "pci = [ 03:00.0 ]|8|must be quoted strings",
        "pci = '03:00.0'|6|to start the pci list",
        "pci = [ '03:00.0', '0000:03:00.0' ]|20|listed twice",
        "pci = [ '03:20.0' ]|12|slot 0x20 out of range",
        "pci = [ '03:00.0@40' ]|17|virtual slot 0x40 out of range",
        "pci = [ '03:00.0,seize=1,seize=0' ]|25|given twice",
        "pci = [ '03:00.0x' ]|16|unexpected text",
        "memory 512|7|expected '='"})
    void shouldPointAtTheOffendingText(final String text, final int position, final String reason)
    {
        final SpecSyntaxException ex = assertThrows(SpecSyntaxException.class, () -> DomainConfigParser.parse(text));
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
        assertEquals(position, ex.position(), ex.getMessage());
    }

    @Test
    void shouldParseOneAssignmentOnItsOwn()
    {
        final PciAssignment assignment = DomainConfigParser.parseAssignment("0000:82:00.0@3,permissive=1");
        assertEquals(new PciSelector(0, 0x82, 0, 0), assignment.selector());
        assertEquals(3, assignment.virtualSlot());
        assertThrows(SpecSyntaxException.class, () -> DomainConfigParser.parseAssignment("0000:82.0.0"));
    }
}

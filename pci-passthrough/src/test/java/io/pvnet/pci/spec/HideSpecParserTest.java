package io.pvnet.pci.spec;

import io.pvnet.pci.PciAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HideSpecParserTest
{
    @Test
    void shouldAcceptEveryXenForm()
    {
        final HideSpec spec = HideSpecParser.parseXen(
            "(0000:03:00.0)(0001:04:1f.*)(0002:05:*.*)(06:07.1)(08:09.*)(0a:*.*)");
        assertEquals(List.of(
            new PciSelector(0, 3, 0, 0),
            new PciSelector(1, 4, 0x1f, PciSelector.ANY),
            new PciSelector(2, 5, PciSelector.ANY, PciSelector.ANY),
            new PciSelector(0, 6, 7, 1),
            new PciSelector(0, 8, 9, PciSelector.ANY),
            new PciSelector(0, 0x0a, PciSelector.ANY, PciSelector.ANY)), spec.selectors());
        assertEquals(1 + 8 + 256 + 1 + 8 + 256, spec.expand().size());
        assertTrue(spec.matches(PciAddress.parse("0001:04:1f.7")));
        assertFalse(spec.matches(PciAddress.parse("0000:04:1f.7")), "the domain is part of the match");
        assertTrue(spec.matches(PciAddress.parse("0000:0a:13.5")));
    }

    @Test
    void shouldTolerateWhitespaceWhereSscanfDoes()
    {
        // sscanf(" (%x:%x.%x) %n"): whitespace before a number or a group, never before ':', '.' or ')'
        assertThrows(SpecSyntaxException.class, () -> HideSpecParser.parseXen("(04:00.1 )"));
        assertThrows(SpecSyntaxException.class, () -> HideSpecParser.parseXen("(04 :00.1)"));
        final HideSpec spec = HideSpecParser.parseXen("  ( 0000: 03: 00. 0)\n\t( 04:00.1)  ");
        assertEquals(List.of(new PciSelector(0, 3, 0, 0), new PciSelector(0, 4, 0, 1)), spec.selectors());
    }

    @Test
    void shouldDropDuplicatesWhenExpanding()
    {
        final HideSpec spec = HideSpecParser.parseXen("(03:00.0)(03:00.*)(0000:03:00.0)");
        assertEquals(3, spec.selectors().size());
        assertEquals(8, spec.expand().size());
        assertEquals(PciAddress.parse("03:00.0"), spec.expand().iterator().next());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // text | group start | quoted group | position inside | reason contains
        "(0000:82.0.0)|0|(0000:82.0.0)|6|slot 0x82 out of range",
        "(03:*.1)|0|(03:*.1)|6|needs a function wildcard",
        "(03:20.0)|0|(03:20.0)|4|slot 0x20 out of range",
        "(03:00.8)|0|(03:00.8)|7|function 0x8 out of range",
        "(100:00.0)|0|(100:00.0)|1|bus 0x100 out of range",
        "(10000:00:00.0)|0|(10000:00:00.0)|1|out of range (max 0xffff)",
        "(03:00.0|0|(03:00.0|8|expected ')'",
        "03:00.0|0|03:00.0|0|expected '('",
        "(03:00.0)x|9|x|9|expected '('",
        "(03:00.0)(|9|(|10|expected hex",
        "(00:01.0)(0000:03:*.0)(04:00.0)|9|(0000:03:*.0)|20|needs a function wildcard",
        "(00:01.0) (0000:82.0.0)(04:00.0)|10|(0000:82.0.0)|16|slot 0x82 out of range",
        "(00:01.0)(03:00.0(04:00.0)|9|(03:00.0|17|expected ')'",
        "(:03:00.0)|0|(:03:00.0)|1|expected hex domain or bus"})
    void shouldReportABadXenGroupAtItsStartQuotingItWhole(
        final String text, final int groupStart, final String group, final int detail, final String reason)
    {
        final SpecSyntaxException ex = assertThrows(SpecSyntaxException.class, () -> HideSpecParser.parseXen(text));
        assertEquals(groupStart, ex.position(), ex.getMessage());
        assertEquals(detail, ex.detailPosition(), ex.getMessage());
        assertTrue(ex.getMessage().startsWith("Error parsing pci_devs_to_hide at \"" + group + "\": "),
            ex.getMessage());
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("\n  " + text + "\n  " + " ".repeat(groupStart) + "^"), ex.getMessage());
    }

    @Test
    void shouldQuoteTheFailingGroupLikeXenPcibackDoes()
    {
        // xcp-ng #412: the message users see in dmesg for this typo
        final SpecSyntaxException ex = assertThrows(SpecSyntaxException.class,
            () -> HideSpecParser.parseXen("(0000:82.0.0)"));
        assertTrue(ex.getMessage().startsWith("Error parsing pci_devs_to_hide at \"(0000:82.0.0)\""),
            ex.getMessage());
        assertTrue(ex.getMessage().contains("(line 1, column 7)"), ex.getMessage());
        assertEquals(1, ex.line());
        assertEquals(1, ex.column());
    }

    @Test
    void shouldRejectAnEmptyList()
    {
        assertThrows(SpecSyntaxException.class, () -> HideSpecParser.parseXen("   "));
        assertThrows(SpecSyntaxException.class, () -> HideSpecParser.parseNetBsd(""));
    }

    @Test
    void shouldAcceptNetBsdForms()
    {
        final HideSpec spec = HideSpecParser.parseNetBsd("(03:00.0)(0000:04:1F.1)");
        assertEquals(HideSpecParser.Grammar.NETBSD, spec.grammar());
        assertEquals(List.of(new PciSelector(0, 3, 0, 0), new PciSelector(0, 4, 0x1f, 1)), spec.selectors());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // text | group start | position inside | reason contains
        "(0001:03:00.0)|0|1|only the literal domain prefix 0000:",
        "( 03:00.0)|0|1|expected hex bus",
        "(03:00.0) (04:00.0)|9|9|expected '('",
        "(03:00.*)|0|7|no wildcards",
        "(03:*.*)|0|4|no wildcards",
        "(03:00.0|0|8|expected ')'",
        "03:00.0|0|0|expected '('",
        "(03:00.0)(03:32.0)|9|13|slot 0x32 out of range"})
    void shouldRejectWhatNetBsdsStricterGrammarRejects(final String text, final int groupStart, final int detail,
        final String reason)
    {
        final SpecSyntaxException ex = assertThrows(SpecSyntaxException.class, () -> HideSpecParser.parseNetBsd(text));
        assertEquals(groupStart, ex.position(), ex.getMessage());
        assertEquals(detail, ex.detailPosition(), ex.getMessage());
        assertTrue(ex.getMessage().startsWith("Error parsing pciback.hide at \""), ex.getMessage());
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }

    @Test
    void shouldRefuseWhatNetBsdWouldSilentlyTruncate()
    {
        final String seven = "(03:00.0)(03:00.1)(03:00.2)(03:00.3)(03:00.4)(03:00.5)(03:00.6)";
        assertEquals(63, seven.length());
        assertEquals(7, HideSpecParser.parseNetBsd(seven).selectors().size());
        final SpecSyntaxException ex = assertThrows(SpecSyntaxException.class,
            () -> HideSpecParser.parseNetBsd(seven + "(03:00.7)"));
        assertEquals(63, ex.position());
        assertTrue(ex.getMessage().contains("64-byte"), ex.getMessage());
        // the Xen grammar has no such limit
        assertEquals(8, HideSpecParser.parseXen(seven + "(03:00.7)").selectors().size());
    }

    @Test
    void shouldAcceptWildcardsOnlyInXenGrammar()
    {
        assertEquals(256, HideSpecParser.parse("(05:*.*)", HideSpecParser.Grammar.XEN).expand().size());
        assertThrows(SpecSyntaxException.class, () -> HideSpecParser.parse("(05:*.*)", HideSpecParser.Grammar.NETBSD));
    }
}

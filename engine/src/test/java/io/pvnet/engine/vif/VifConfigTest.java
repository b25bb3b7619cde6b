package io.pvnet.engine.vif;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link VifConfig}'s checks: what a vif's own MAC may be, one line naming it. */
class VifConfigTest
{
    @ParameterizedTest
    @ValueSource(strings = {"01:00:5e:00:00:01", "33:33:00:00:00:01", "ff:ff:ff:ff:ff:ff", "03:00:00:00:00:00"})
    void shouldRefuseAGroupAddressAsAVifsOwnMac(final String text)
    {
        final long mac = VifConfig.parseMac(text);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> VifConfig.of(1, 0).withMac(mac));
        assertEquals("mac=" + text + " is a group (multicast or broadcast) address; give a unicast MAC", ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VifConfig.checkMac(mac));
        assertEquals("is a group (multicast or broadcast) address; give a unicast MAC", VifConfig.macProblem(mac));
    }

    @Test
    void shouldTakeAUnicastMacIncludingALocallyAdministeredOne()
    {
        for (final String text : new String[] {"00:16:3e:00:01:00", "02:00:00:00:0a:01", "fe:ff:ff:ff:ff:ff"})
        {
            final long mac = VifConfig.parseMac(text);
            assertNull(VifConfig.macProblem(mac), text);
            assertEquals(text, VifConfig.formatMac(VifConfig.of(1, 0).withMac(mac).mac()));
        }
    }

    @Test
    void shouldRefuseAMacWiderThan48Bits()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> VifConfig.of(1, 0).withMac(1L << 48));
        assertEquals("mac=0x1000000000000 must fit 48 bits", ex.getMessage());
    }
}

package io.pvnet.engine.router;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTableTest
{
    private static int ip(final int a, final int b, final int c, final int d)
    {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    @Test
    void shouldPickTheLongestMatchingIpv4PrefixWhateverTheOrderOfAdding()
    {
        final RouteTable table = new RouteTable(8);
        table.add4(ip(10, 1, 2, 0), 24, 2, 0);
        table.add4(0, 0, 0, ip(10, 0, 0, 254));
        table.add4(ip(10, 1, 2, 3), 32, 3, 0);
        table.add4(ip(10, 0, 0, 0), 8, 1, 0);

        assertEquals(3, table.port4(table.lookup4(ip(10, 1, 2, 3))));
        assertEquals(2, table.port4(table.lookup4(ip(10, 1, 2, 4))));
        assertEquals(1, table.port4(table.lookup4(ip(10, 9, 9, 9))));
        final int fallback = table.lookup4(ip(8, 8, 8, 8));
        assertEquals(0, table.port4(fallback));
        assertEquals(0, table.prefix4(fallback));
        assertEquals(ip(10, 0, 0, 254), table.nextHop4(fallback, ip(8, 8, 8, 8)), "default route's gateway");
        assertEquals(ip(10, 1, 2, 4), table.nextHop4(table.lookup4(ip(10, 1, 2, 4)), ip(10, 1, 2, 4)),
            "connected route: the destination is the next hop");
    }

    @Test
    void shouldFindNothingWithoutADefaultRouteAndReplaceAPrefixAddedTwice()
    {
        final RouteTable table = new RouteTable(4);
        table.add4(ip(192, 168, 7, 99), 24, 1, 0);  // host bits are masked off
        assertEquals(RouteTable.NO_ROUTE, table.lookup4(ip(192, 168, 8, 1)));
        assertEquals(1, table.port4(table.lookup4(ip(192, 168, 7, 1))));
        table.add4(ip(192, 168, 7, 0), 24, 2, ip(192, 168, 7, 9));
        assertEquals(1, table.count4());
        assertEquals(2, table.port4(table.lookup4(ip(192, 168, 7, 1))));
        assertEquals(ip(192, 168, 7, 9), table.nextHop4(table.lookup4(ip(192, 168, 7, 1)), ip(192, 168, 7, 1)));
    }

    @Test
    void shouldPickTheLongestMatchingIpv6Prefix()
    {
        final RouteTable table = new RouteTable(8);
        final long doc = 0x2001_0db8_0000_0000L;
        table.add6(0, 0, 0, 0, true, 0xFE80_0000_0000_0000L, 1);
        table.add6(doc, 0, 32, 1, false, 0, 0);
        table.add6(doc | 0x0001_0000L, 0, 48, 2, false, 0, 0);
        table.add6(doc | 0x0001_0002L, 0, 64, 3, false, 0, 0);
        table.add6(doc | 0x0001_0002L, 0x10, 124, 4, false, 0, 0);
        table.add6(doc | 0x0001_0002L, 0x17, 128, 5, false, 0, 0);

        assertEquals(5, table.port6(table.lookup6(doc | 0x0001_0002L, 0x17)));
        assertEquals(4, table.port6(table.lookup6(doc | 0x0001_0002L, 0x1F)));
        assertEquals(3, table.port6(table.lookup6(doc | 0x0001_0002L, 0x20)));
        assertEquals(2, table.port6(table.lookup6(doc | 0x0001_0003L, 1)));
        assertEquals(1, table.port6(table.lookup6(doc | 0x7777_0000L, 1)));
        final int fallback = table.lookup6(0x2a00_0000_0000_0000L, 1);
        assertEquals(0, table.port6(fallback));
        assertTrue(table.hasVia6(fallback));
        assertEquals(1, table.viaLo6(fallback));
        assertFalse(table.hasVia6(table.lookup6(doc, 5)));
    }

    @Test
    void shouldAgreeWithABruteForceReferenceOnRandomTables()
    {
        final Random random = new Random(42);
        for (int round = 0; round < 50; round++)
        {
            final RouteTable table = new RouteTable(64);
            final int[] networks = new int[40];
            final int[] prefixes = new int[40];
            for (int i = 0; i < 40; i++)
            {
                prefixes[i] = random.nextInt(33);
                networks[i] = random.nextInt() & RouteTable.mask4(prefixes[i]) & 0xFF0F_0000 | (random.nextInt(4) << 8);
                networks[i] &= RouteTable.mask4(prefixes[i]);
                table.add4(networks[i], prefixes[i], i, 0);
            }
            for (int probe = 0; probe < 2000; probe++)
            {
                final int address = random.nextInt() & 0xFF0F_03FF;
                int best = -1;
                int bestPort = -1;
                for (int i = 0; i < 40; i++)
                {
                    // later adds of the same prefix replace earlier ones
                    if ((address & RouteTable.mask4(prefixes[i])) == networks[i] && prefixes[i] >= best)
                    {
                        best = prefixes[i];
                        bestPort = i;
                    }
                }
                final int route = table.lookup4(address);
                assertEquals(bestPort, route == RouteTable.NO_ROUTE ? -1 : table.port4(route), "address " + address);
            }
        }
    }

    @Test
    void shouldRefuseBadPrefixesAndAFullTable()
    {
        final RouteTable table = new RouteTable(1);
        assertThrows(IllegalArgumentException.class, () -> table.add4(0, 33, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> table.add6(0, 0, 129, 0, false, 0, 0));
        table.add4(ip(10, 0, 0, 0), 8, 0, 0);
        assertThrows(IllegalStateException.class, () -> table.add4(ip(11, 0, 0, 0), 8, 0, 0));
        assertEquals(0xFFFF_FF00, RouteTable.mask4(24));
        assertEquals(-1L, RouteTable.maskHi6(64));
        assertEquals(0L, RouteTable.maskLo6(64));
        assertEquals(0xFFFF_0000_0000_0000L, RouteTable.maskHi6(16));
        assertEquals(0xFFFF_FFFF_FFFF_FFF0L, RouteTable.maskLo6(124));
    }
}

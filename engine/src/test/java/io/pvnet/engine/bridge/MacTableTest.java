package io.pvnet.engine.bridge;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The forwarding table, and the two keys it keeps beside its map: a repeated learn or lookup must see exactly what
 * the map holds after every move, aging, flush and refusal.
 */
class MacTableTest
{
    private static final long AGING_NS = 300_000_000_000L;
    private static final long AGING_MS = AGING_NS / 1_000_000L;
    private static final long A = 0x02_00_00_00_00_0AL;
    private static final long B = 0x02_00_00_00_00_0BL;

    @Test
    void shouldFollowAStationThatMovesAgesAndComesBack()
    {
        final MacTable table = new MacTable(16, AGING_NS);
        assertEquals(MacTable.UNKNOWN, table.lookup(1, A, 0));
        table.learn(1, A, 3, 0);
        assertEquals(3, table.lookup(1, A, 0), "learned after a lookup that found nothing");
        table.learn(1, A, 5, 1);
        assertEquals(5, table.lookup(1, A, 1), "moved");
        assertEquals(1, table.movedCount());
        assertEquals(MacTable.UNKNOWN, table.lookup(2, A, 1), "another VLAN");

        assertEquals(1, table.age(1 + AGING_MS));
        assertEquals(MacTable.UNKNOWN, table.lookup(1, A, 1 + AGING_MS));
        table.learn(1, A, 5, 1);
        assertEquals(1, table.size(), "the same learn as before the aging puts the station back");
        assertEquals(5, table.lookup(1, A, 2));

        table.flushPort(5);
        assertEquals(0, table.size());
        assertEquals(MacTable.UNKNOWN, table.lookup(1, A, 2));
        table.learn(1, A, 5, 1);
        assertEquals(5, table.lookup(1, A, 2), "the same learn as before the flush puts the station back");
        assertEquals(3, table.learnedCount());
    }

    @Test
    void shouldNotRememberAStationRefusedByAFullTable()
    {
        final MacTable table = new MacTable(1, AGING_NS);
        table.learn(1, A, 1, 0);
        table.learn(1, B, 2, 0);
        assertEquals(1, table.fullCount());
        assertEquals(MacTable.UNKNOWN, table.lookup(1, B, 0));
        table.learn(1, B, 2, 0);
        assertEquals(2, table.fullCount(), "refused again, not taken as already known");
        table.flushPort(1);
        table.learn(1, B, 2, 0);
        assertEquals(2, table.lookup(1, B, 0));
    }

    @Test
    void shouldAgreeWithAPlainMapOverRandomLearnsLookupsAgingAndFlushes()
    {
        final MacTable table = new MacTable(64, AGING_NS);
        final Map<Long, long[]> model = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(7);
        long nowMs = 0;
        for (int step = 0; step < 200_000; step++)
        {
            final int vlan = 1 + random.nextInt(2);
            // few stations, so repeats (the cached keys) are common
            final long mac = 0x02_00_00_00_00_00L + random.nextInt(6);
            final long key = MacTable.key(vlan, mac);
            final int action = random.nextInt(100);
            if (action < 45)
            {
                final int port = random.nextInt(4);
                table.learn(vlan, mac, port, nowMs);
                model.put(key, new long[] {port, nowMs});
            }
            else if (action < 97)
            {
                final long[] entry = model.get(key);
                final int expected = entry == null || nowMs - entry[1] >= AGING_MS ? MacTable.UNKNOWN : (int)entry[0];
                assertEquals(expected, table.lookup(vlan, mac, nowMs), "step " + step);
            }
            else if (action < 99)
            {
                final long now = nowMs;
                table.age(nowMs);
                model.values().removeIf(entry -> now - entry[1] >= AGING_MS);
            }
            else
            {
                final int port = random.nextInt(4);
                table.flushPort(port);
                model.values().removeIf(entry -> entry[0] == port);
            }
            nowMs += random.nextInt(3) == 0 ? random.nextLong(AGING_MS / 4) : 0;
            assertEquals(model.size(), table.size(), "step " + step);
        }
    }
}

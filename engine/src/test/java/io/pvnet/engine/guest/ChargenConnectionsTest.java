package io.pvnet.engine.guest;

import io.pvnet.engine.guest.ChargenConnections.Connection;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The chargen server's connection table: slots taken, found, closed and freed, and the count of open ones. */
class ChargenConnectionsTest
{
    private static Connection open(final ChargenConnections table, final int ip, final int port)
    {
        final Connection connection = table.open();
        connection.ip = ip;
        connection.port = port;
        return connection;
    }

    @Test
    void shouldFindAnOpenConnectionByItsPeersAddressAndPortOnly()
    {
        final ChargenConnections table = new ChargenConnections(4);
        final Connection a = open(table, 10, 40_000);
        final Connection b = open(table, 10, 40_001);
        assertSame(a, table.find(10, 40_000));
        assertSame(b, table.find(10, 40_001));
        assertNull(table.find(11, 40_000));
        assertEquals(ChargenConnections.SYN_RECEIVED, a.state);
        assertEquals(2, table.active());
    }

    @Test
    void shouldReuseAClosedSlotOnlyWhenNoneIsFreeAndRefuseWhenAllAreOpen()
    {
        final ChargenConnections table = new ChargenConnections(2);
        final Connection a = open(table, 1, 1);
        final Connection b = open(table, 2, 2);
        assertNull(table.open(), "every slot open");
        table.closed(a);
        assertEquals(ChargenConnections.CLOSED, a.state);
        assertEquals(1, table.active());
        assertSame(a, table.find(1, 1), "a closed connection still absorbs its peer's last segments");
        assertSame(a, table.open(), "the closed slot, as no slot is free");
        assertEquals(2, table.active());
        table.free(b);
        table.closed(a);
        assertSame(b, table.open(), "a free slot before a closed one");
    }

    @Test
    void shouldCountOpenConnectionsOnceWhateverFreesOrClosesThem()
    {
        final ChargenConnections table = new ChargenConnections(3);
        final Connection a = open(table, 1, 1);
        final Connection b = open(table, 2, 2);
        b.state = ChargenConnections.ESTABLISHED;
        table.closed(a);
        table.free(a); // freeing a closed slot: it was no longer counted
        assertEquals(1, table.active());
        table.free(b);
        table.free(b);
        assertEquals(0, table.active());
        assertNull(table.find(2, 2));
        assertEquals(ChargenConnections.FREE, b.state);
    }
}

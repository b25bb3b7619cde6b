package io.pvnet.engine.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class XenStoreTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(StoreDescriptor.length(16)));
    private final XenStore store = XenStore.create(buffer, 16);

    @Test
    void shouldWriteReadReplaceAndRemove()
    {
        assertEquals(XenStore.OK, store.write("backend/vif/1/0/feature-sg", "1"));
        assertEquals("1", store.read("backend/vif/1/0/feature-sg"));
        assertTrue(store.readFlag("backend/vif/1/0/feature-sg"));
        assertEquals(XenStore.OK, store.write("backend/vif/1/0/feature-sg", "0"));
        assertFalse(store.readFlag("backend/vif/1/0/feature-sg"));
        assertEquals(XenStore.OK, store.remove("backend/vif/1/0/feature-sg"));
        assertNull(store.read("backend/vif/1/0/feature-sg"));
    }

    @Test
    void shouldReportFullInsteadOfOverwriting()
    {
        for (int i = 0; i < 16; i++)
        {
            assertEquals(XenStore.OK, store.write("k" + i, "v" + i));
        }
        assertEquals(XenStore.FULL, store.write("one-more", "x"));
        for (int i = 0; i < 16; i++)
        {
            assertEquals("v" + i, store.read("k" + i));
        }
    }

    @Test
    void shouldKeepStatesAndRejectOutOfRangeStates()
    {
        store.writeState("device/vif/0", XenbusState.CONNECTED);
        assertEquals(XenbusState.CONNECTED, store.readState("device/vif/0"));
        store.write("device/vif/0/state", "99");
        assertEquals(XenbusState.UNKNOWN, store.readState("device/vif/0"));
        store.write("device/vif/0/state", "4x");
        assertEquals(XenbusState.UNKNOWN, store.readState("device/vif/0"));
    }

    @Test
    void shouldRejectBadConfigurationWithNamedValues()
    {
        final IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
            () -> store.write("k".repeat(57), "v"));
        assertTrue(tooLong.getMessage().contains("key="));
        assertThrows(IllegalArgumentException.class, () -> store.write("k", "\u00e9"));
        final IllegalStateException notAStore = assertThrows(IllegalStateException.class,
            () -> XenStore.attach(new UnsafeBuffer(new byte[1024])));
        assertTrue(notAStore.getMessage().contains("magic="));
    }

    @Test
    void shouldNeverThrowOrReturnGarbageWhenAHostileWriterScribbles()
    {
        store.write("device/vif/0/tx-ring-ref", "8");
        final SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 20_000; round++)
        {
            final int at = StoreDescriptor.HEADER_LENGTH + random.nextInt(buffer.capacity() - StoreDescriptor.HEADER_LENGTH);
            buffer.putByte(at, (byte)random.nextInt());
            final String value = store.read("device/vif/0/tx-ring-ref");
            if (value != null)
            {
                assertTrue(value.length() <= StoreDescriptor.MAX_VALUE_LENGTH);
                assertTrue(value.chars().allMatch(c -> c >= 0x20 && c <= 0x7E), value);
            }
            store.readNumber("device/vif/0/tx-ring-ref", 4, false, -1);
            for (int i = 0; i < store.entryCount(); i++)
            {
                store.keyAt(i);
            }
            final int status = store.write("backend/vif/0/0/state", "4");
            assertTrue(status == XenStore.OK || status == XenStore.FULL || status == XenStore.BUSY);
        }
    }

    @Test
    void shouldGiveUpOnAnEntryHeldLockedByThePeer()
    {
        store.write("a", "1");
        // the peer took the entry's seqlock and never released it
        buffer.putInt(StoreDescriptor.entryOffset(0) + StoreDescriptor.ENTRY_SEQUENCE_OFFSET, 3);
        assertNull(store.read("a"));
        assertEquals(XenStore.BUSY, store.write("a", "2"));
    }

    @Test
    void shouldAttachToAnAreaCreatedElsewhere()
    {
        store.write("x", "y");
        final XenStore other = XenStore.attach(buffer);
        assertEquals("y", other.read("x"));
        assertEquals(16, other.entryCount());
    }
}

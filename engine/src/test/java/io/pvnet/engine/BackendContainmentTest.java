package io.pvnet.engine;

import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.region.RegionDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Whatever a guest does to its memory, an exception on its vif's path disables that vif only: counted, the thread
 * and the other vif unharmed (issue 13 item 6).
 */
class BackendContainmentTest
{
    @Test
    void shouldDisableOnlyTheVifWhoseSectionEntryIsCorrupt()
    {
        try (VifPair pair = new VifPair(VifConfig.of(1, 0), VifConfig.of(2, 0), NoFrameOffload.INSTANCE))
        {
            corruptSectionEntry(pair, VifSections.pagesName(2, 0));
            for (int round = 0; round < 2_000; round++)
            {
                assertDoesNotThrow(() -> pair.pump(1));
            }
            assertTrue(pair.backends[0].isConnected(), "the other vif connects as usual");
            assertFalse(pair.backends[1].isConnected());
            assertEquals(DropReason.name(DropReason.BACKEND_EXCEPTION), pair.backends[1].disabledReason());
            assertTrue(pair.backends[1].counters().drops(DropReason.BACKEND_EXCEPTION) >= 1);
            assertEquals(0, pair.backends[0].counters().drops(DropReason.BACKEND_EXCEPTION));
        }
    }

    @Test
    void shouldDisableVifWhenItsGrantTableIsScribbledOverAndKeepTheThreadAlive()
    {
        try (VifPair pair = new VifPair(VifConfig.of(1, 0), VifConfig.of(2, 0), NoFrameOffload.INSTANCE))
        {
            pair.pump(50);
            assertTrue(pair.connected());
            final AtomicBuffer grants = pair.region.section(VifSections.grantsName(2, 0)).buffer();
            final java.util.Random random = new java.util.Random(13);
            for (int round = 0; round < 500; round++)
            {
                for (int i = 0; i < 64; i++)
                {
                    grants.putInt(random.nextInt(grants.capacity() / 4) * 4, random.nextInt());
                }
                assertDoesNotThrow(() -> pair.pump(1));
                final int sent = pair.frontends[0].transmit(VifPair.frame(200, round), 0, 200);
                assertTrue(sent == VifFrontend.OK || sent == VifFrontend.BUSY, "vif 1 keeps sending: " + sent);
            }
            assertTrue(pair.backends[0].isConnected(), "vif 1 is unharmed");
            final VifCounters b = pair.backends[1].counters();
            assertEquals(0, b.drops(DropReason.BACKEND_EXCEPTION), "bad grants are refused by status, not by exception");
        }
    }

    private static void corruptSectionEntry(final VifPair pair, final String name)
    {
        final AtomicBuffer buffer = pair.region.buffer();
        final byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < RegionDescriptor.DEFAULT_SECTION_CAPACITY; i++)
        {
            final int entry = RegionDescriptor.sectionEntryOffset(i);
            if (buffer.getInt(entry + RegionDescriptor.SECTION_NAME_LENGTH_OFFSET) == wanted.length &&
                name.equals(buffer.getStringWithoutLengthAscii(entry + RegionDescriptor.SECTION_NAME_OFFSET, wanted.length)))
            {
                buffer.putLong(entry + RegionDescriptor.SECTION_LENGTH_OFFSET, 1L << 40);
                return;
            }
        }
        fail("no section named " + name);
    }
}

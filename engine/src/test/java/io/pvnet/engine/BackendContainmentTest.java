package io.pvnet.engine;

import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.region.RegionDescriptor;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

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

    /**
     * A queue handed out to a thread of its own ({@code queueAgents}) serves the guest's transmits there: a frame that
     * makes the host's path throw (here a parser after the switch that trusts a length field the guest wrote) must not
     * leave the queue's {@code doWork}, or the thread running it dies with whatever else it serves.
     */
    @Test
    void shouldContainAnExceptionOnAQueueThreadAsOnTheVifThread() throws Exception
    {
        final VifConfig config = VifConfig.of(1, 0).withQueues(2);
        final AtomicInteger parsed = new AtomicInteger();
        final Logger xnbLog = Logger.getLogger("io.pvnet.engine.xnb");
        final AtomicInteger disabledLines = new AtomicInteger();
        final Handler lines = new Handler()
        {
            @Override
            public void publish(final LogRecord record)
            {
                if (record.getMessage().contains("disabled after"))
                {
                    disabledLines.incrementAndGet();
                }
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
        xnbLog.addHandler(lines);
        try (io.pvnet.ring.region.Region region =
            io.pvnet.ring.region.Region.createAnonymous(VifRegion.regionBytes(1, 2)))
        {
            final VifRegion vifRegion = VifRegion.create(region);
            final VifBackend backend = VifBackend.create(vifRegion, config, (buffer, offset, length, metadata) ->
            {
                final int claimed = buffer.getShort(offset + length - 2, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
                if (claimed > length)
                {
                    throw new IndexOutOfBoundsException("length field " + claimed + " beyond a frame of " + length);
                }
                parsed.incrementAndGet();
                return 0;
            }, NoFrameOffload.INSTANCE);
            final Agent[] queues = backend.queueAgents();
            final AtomicReference<Throwable> escaped = new AtomicReference<>();
            final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            final Thread[] threads = new Thread[queues.length];
            for (int q = 0; q < queues.length; q++)
            {
                final Agent queue = queues[q];
                threads[q] = Thread.ofPlatform().daemon().name("test-queue-" + q).start(() ->
                {
                    while (running.get())
                    {
                        try
                        {
                            if (queue.doWork() == 0)
                            {
                                Thread.onSpinWait();
                            }
                        }
                        catch (final Throwable ex)
                        {
                            escaped.set(ex); // what a queue thread without its own guard would die of
                            return;
                        }
                    }
                });
            }
            try
            {
                final VifFrontend guest = VifFrontend.create(vifRegion, config, backend.counters(),
                    NoFrameOffload.INSTANCE);
                final long connectDeadline = System.nanoTime() + 10_000_000_000L;
                while (!(guest.isConnected() && backend.isConnected()) && System.nanoTime() < connectDeadline)
                {
                    guest.doWork();
                    backend.doWork();
                    Thread.yield();
                }
                assertTrue(backend.isConnected() && guest.isConnected());
                final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(200));
                frame.putBytes(0, VifPair.frame(200, 1), 0, 200);
                frame.putShort(198, (short)100, java.nio.ByteOrder.BIG_ENDIAN);
                assertEquals(VifFrontend.OK, guest.transmit(frame, 0, 200), "an honest frame");
                guest.flush();
                final long honestDeadline = System.nanoTime() + 10_000_000_000L;
                while (parsed.get() == 0 && System.nanoTime() < honestDeadline)
                {
                    guest.doWork();
                    backend.doWork();
                    Thread.yield();
                }
                assertEquals(1, parsed.get(), "the honest frame went through a queue thread");
                for (int i = 0; i < 10; i++)
                {
                    frame.putBytes(0, VifPair.frame(200, 2 + i), 0, 200);
                    frame.putShort(198, (short)60_000, java.nio.ByteOrder.BIG_ENDIAN);
                    guest.transmit(frame, 0, 200);
                }
                guest.flush();
                final long hostileDeadline = System.nanoTime() + 10_000_000_000L;
                while (backend.disabledReason() == null && escaped.get() == null && System.nanoTime() < hostileDeadline)
                {
                    guest.doWork();
                    backend.doWork();
                    Thread.yield();
                }
                // the queue thread writes the error key after containException returns, outside the monitor that
                // published disabledReason: wait for it as for the rest
                final String errorKey = config.backendDir() + "/error";
                final long errorDeadline = System.nanoTime() + 10_000_000_000L;
                while (vifRegion.store().read(errorKey) == null && System.nanoTime() < errorDeadline)
                {
                    guest.doWork();
                    backend.doWork();
                    Thread.yield();
                }
                for (int round = 0; round < 100; round++)
                {
                    // more rounds in which the other hostile frames could (and must not) add a disabling or a line
                    guest.doWork();
                    backend.doWork();
                    Thread.yield();
                }
                assertNull(escaped.get(), "no exception left a queue's doWork");
                for (final Thread thread : threads)
                {
                    assertTrue(thread.isAlive(), thread.getName() + " keeps running");
                }
                assertEquals(DropReason.name(DropReason.BACKEND_EXCEPTION), backend.disabledReason());
                final VifCounters counters = backend.counters();
                assertTrue(counters.drops(DropReason.BACKEND_EXCEPTION) >= 1, "counted");
                assertEquals(1, counters.get(VifCounters.PROTOCOL_ERRORS), "one disabling, counted once");
                assertEquals("fatal error; disabling device: backend-exception",
                    vifRegion.store().read(errorKey), "the peer's fault, in its error key");
                assertEquals(1, disabledLines.get(), "one log line, however many frames threw");
                assertEquals(1, parsed.get(), "nothing after the disabling reached the host");
            }
            finally
            {
                running.set(false);
                for (final Thread thread : threads)
                {
                    thread.join(5_000);
                }
            }
        }
        finally
        {
            xnbLog.removeHandler(lines);
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

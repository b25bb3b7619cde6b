package io.pvnet.perf.vif;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench's cross-process guest reports its frontend's {@code front-*} counters over the control connection as
 * {@code pvnet guest} does, so {@code pvnet stat} on a bench host shows the guest's side too (here the guest runs in
 * this JVM: the path is the same socket and sealed share).
 */
class XprocGuestTest
{
    private static final int FRAMES = 50;

    @Test
    void shouldNameTheBenchNotASwitchInItsRefusals() throws Exception
    {
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(1), VifRegion.sectionCapacity(1)))
        {
            final VifRegion vifRegion = VifRegion.create(region, 1);
            final VifBackend backend = VifBackend.create(vifRegion, VifConfig.of(1, 0),
                (buffer, offset, length, metadata) -> 0, NoFrameOffload.INSTANCE);
            try (XprocHost control = new XprocHost(XprocHost.BENCH, vifRegion, backend))
            {
                final IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> XprocGuest.attach(control.socket(), VifConfig.of(9, 0), NoFrameOffload.INSTANCE));
                assertEquals("attach refused: no vif9.0 on this bench process", refused.getMessage());
                assertFalse(refused.getMessage().contains("switch"), refused.getMessage());
            }
        }
    }

    @Test
    void shouldReportTheFrontendsCountersToTheHostAsPvnetGuestDoes() throws Exception
    {
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(1), VifRegion.sectionCapacity(1)))
        {
            final VifRegion vifRegion = VifRegion.create(region, 1);
            final VifConfig config = VifConfig.of(1, 0);
            final AtomicLong delivered = new AtomicLong();
            final VifBackend backend = VifBackend.create(vifRegion, config,
                (buffer, offset, length, metadata) -> (int)(delivered.incrementAndGet() & 0), NoFrameOffload.INSTANCE);
            final AtomicBoolean running = new AtomicBoolean(true);
            final Thread host = Thread.ofPlatform().name("xproc-guest-test-host").start(() ->
            {
                while (running.get())
                {
                    if (backend.doWork() == 0)
                    {
                        Thread.onSpinWait();
                        Thread.yield();
                    }
                }
            });
            try (XprocHost control = new XprocHost(XprocHost.BENCH, vifRegion, backend))
            {
                try (XprocGuest guest = XprocGuest.attach(control.socket(), config, NoFrameOffload.INSTANCE))
                {
                    final VifFrontend frontend = guest.frontend();
                    final long connectBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!frontend.isConnected())
                    {
                        assertTrue(System.nanoTime() < connectBy, "the guest's vif connects");
                        guest.sync();
                        frontend.doWork();
                    }
                    final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
                    int sent = 0;
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (backend.counters().get(VifCounters.FRONT_TX_PACKETS) < FRAMES)
                    {
                        assertTrue(System.nanoTime() < deadline, "front-tx-packets reached the host: " +
                            backend.counters().get(VifCounters.FRONT_TX_PACKETS) + " of " + FRAMES);
                        if (sent < FRAMES && frontend.transmit(frame, 0, frame.capacity()) == VifFrontend.OK)
                        {
                            sent++;
                            frontend.flush();
                        }
                        frontend.doWork();
                        guest.sync();
                    }
                    assertEquals(FRAMES, backend.counters().get(VifCounters.FRONT_TX_PACKETS));
                    assertTrue(backend.counters().get(VifCounters.FRONT_NOTIFY_SENT) +
                        backend.counters().get(VifCounters.FRONT_NOTIFY_SUPPRESSED) > 0,
                        "the other front-* kinds come along");
                }
            }
            finally
            {
                running.set(false);
                host.join(10_000);
            }
            assertEquals(FRAMES, delivered.get(), "the frames themselves crossed");
        }
    }
}

package io.pvnet.perf.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CpuSettle} with a driven clock: each yield takes as long as the test says another thread ran. */
class CpuSettleTest
{
    /** A clock that a yield advances by the next of {@code yieldNs} (the last one repeats). */
    private static final class DrivenYields
    {
        final long[] yieldNs;
        final AtomicInteger yields = new AtomicInteger();
        long now = 1_000_000;

        DrivenYields(final long... yieldNs)
        {
            this.yieldNs = yieldNs;
        }

        CpuSettle settle()
        {
            return new CpuSettle(() -> now, () -> now += yieldNs[Math.min(yields.getAndIncrement(), yieldNs.length - 1)]);
        }
    }

    @Test
    void shouldStartAtOnceWhenTheFirstYieldRanNoOtherThread()
    {
        final DrivenYields cpu = new DrivenYields(1_000);
        final CpuSettle settle = cpu.settle();

        assertFalse(settle.settle());
        assertEquals(1, cpu.yields.get());
        assertEquals(0, settle.deferred());
    }

    @Test
    void shouldYieldUntilNoThreadWokenWithTheSenderIsLeftToRun()
    {
        // two threads the gap's timer woke with the sender run 60 and 25 us, then a yield comes back at once
        final DrivenYields cpu = new DrivenYields(60_000, 25_000, 1_200, 1_000);
        final CpuSettle settle = cpu.settle();

        assertTrue(settle.settle());
        assertEquals(3, cpu.yields.get());
        assertEquals(1, settle.deferred());
        assertFalse(settle.settle()); // the next round trip's CPU is quiet
        assertEquals(1, settle.deferred());
    }

    @Test
    void shouldGiveUpAfterItsLimitWhenAnotherThreadKeepsTheCpu()
    {
        final DrivenYields cpu = new DrivenYields(1_000_000); // every yield ran someone else for 1 ms
        final CpuSettle settle = cpu.settle();
        final long start = cpu.now;

        assertTrue(settle.settle());
        assertTrue(cpu.now - start >= CpuSettle.LIMIT_NS && cpu.now - start < CpuSettle.LIMIT_NS + 1_000_000,
            "settled for " + (cpu.now - start) + " ns");
    }

    @Test
    void shouldCountAYieldJustUnderTheThresholdAsQuiet()
    {
        final DrivenYields cpu = new DrivenYields(CpuSettle.QUIET_YIELD_NS - 1);

        assertFalse(cpu.settle().settle());
        assertEquals(1, cpu.yields.get());
    }
}

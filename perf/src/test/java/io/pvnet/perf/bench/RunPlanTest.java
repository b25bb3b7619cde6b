package io.pvnet.perf.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunPlanTest
{
    @Test
    void shouldFitDefaultRunIntoAboutAMinuteWhenClampsAllowIt()
    {
        for (int figures = 1; figures <= 80; figures++)
        {
            final RunPlan plan = RunPlan.fit(figures, null, null);
            final double perFigure = plan.durationSeconds() + plan.warmupSeconds();
            assertEquals(figures * perFigure, plan.estimatedSeconds(), 1e-9);
            assertTrue(plan.durationSeconds() >= RunPlan.MIN_FITTED_SECONDS && plan.durationSeconds() <= RunPlan.MAX_FITTED_SECONDS);
            assertTrue(plan.warmupSeconds() <= RunPlan.MAX_DEFAULT_WARMUP_SECONDS);
            final boolean clamped = plan.durationSeconds() == RunPlan.MIN_FITTED_SECONDS ||
                plan.durationSeconds() == RunPlan.MAX_FITTED_SECONDS;
            if (!clamped)
            {
                assertEquals(60.0, plan.estimatedSeconds(), 1e-6, "figures=" + figures);
            }
            else if (plan.durationSeconds() == RunPlan.MAX_FITTED_SECONDS)
            {
                assertTrue(plan.estimatedSeconds() <= 60.0, "figures=" + figures);
            }
        }
    }

    @Test
    void shouldFitKnownCases()
    {
        // 12 figures: 5 s per figure = d + d/2 -> d = 3.333, warm-up 1.667
        final RunPlan twelve = RunPlan.fit(12, null, null);
        assertEquals(10.0 / 3, twelve.durationSeconds(), 1e-9);
        assertEquals(5.0 / 3, twelve.warmupSeconds(), 1e-9);
        // 10 figures: 6 s per figure -> d = 4, warm-up 2 (the kink)
        assertEquals(4.0, RunPlan.fit(10, null, null).durationSeconds(), 1e-9);
        // 3 figures: 20 s per figure, but at most 5 s measured + 2 s warm-up
        final RunPlan three = RunPlan.fit(3, null, null);
        assertEquals(5.0, three.durationSeconds(), 1e-9);
        assertEquals(21.0, three.estimatedSeconds(), 1e-9);
        // 100 figures cannot fit: 1 s each, and the estimate says so
        assertEquals(150.0, RunPlan.fit(100, null, null).estimatedSeconds(), 1e-9);
    }

    @Test
    void shouldHonourUserDurationAndWarmup()
    {
        final RunPlan given = RunPlan.fit(12, 0.5, 0.0);
        assertEquals(0.5, given.durationSeconds());
        assertEquals(0.0, given.warmupSeconds());
        assertEquals(6.0, given.estimatedSeconds(), 1e-9);
        assertEquals(0.25, RunPlan.fit(12, 0.5, null).warmupSeconds(), 1e-9);
        // only the warm-up given: the duration takes the rest of the minute
        final RunPlan warm = RunPlan.fit(12, null, 1.0);
        assertEquals(4.0, warm.durationSeconds(), 1e-9);
        assertEquals(60.0, warm.estimatedSeconds(), 1e-9);
    }

    @Test
    void shouldRejectBadDurations()
    {
        assertEquals("--duration=0.0 must be > 0 and at most 86400 seconds",
            assertThrows(IllegalArgumentException.class, () -> RunPlan.fit(1, 0.0, null)).getMessage());
        assertEquals("--duration=NaN must be > 0 and at most 86400 seconds",
            assertThrows(IllegalArgumentException.class, () -> RunPlan.fit(1, Double.NaN, null)).getMessage());
        assertEquals("--warmup=-1.0 must be >= 0 and at most 86400 seconds",
            assertThrows(IllegalArgumentException.class, () -> RunPlan.fit(1, 1.0, -1.0)).getMessage());
    }
}

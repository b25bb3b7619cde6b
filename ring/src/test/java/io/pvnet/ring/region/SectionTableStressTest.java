package io.pvnet.ring.region;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.pvnet.ring.region.RegionDescriptor.PAGE_SIZE;
import static io.pvnet.ring.region.RegionDescriptor.headerLength;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SectionTable}'s one CAS claims a table entry and its pages together: threads allocating at once into one
 * region get distinct entries and pages that never overlap, and every section is published and found by name.
 */
class SectionTableStressTest
{
    private static final int THREADS = 4;
    private static final int PER_THREAD = 200;

    @Test
    void shouldGiveConcurrentAllocatorsDistinctNonOverlappingSectionsAllFoundByName() throws Exception
    {
        final int capacity = THREADS * PER_THREAD;
        // sections of 1 or 2 pages: room for all of them exactly when none overlaps
        final long length = headerLength(capacity) + (long)capacity * 2 * PAGE_SIZE;
        try (Region region = Region.createAnonymous(length, capacity))
        {
            final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<List<RegionSection>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                results.add(pool.submit(() ->
                {
                    start.await();
                    final List<RegionSection> mine = new ArrayList<>();
                    for (int i = 0; i < PER_THREAD; i++)
                    {
                        final RegionSection section = region.allocateSection("t" + thread + "-" + i,
                            i % 2 == 0 ? Integer.BYTES : PAGE_SIZE + 1);
                        section.buffer().putInt(0, thread * PER_THREAD + i); // a mark in its own first page
                        mine.add(section);
                    }
                    return mine;
                }));
            }
            start.countDown();
            final List<RegionSection> all = new ArrayList<>();
            for (final Future<List<RegionSection>> result : results)
            {
                all.addAll(result.get(30, TimeUnit.SECONDS));
            }
            pool.shutdown();

            assertEquals(capacity, region.sections().size());
            final Set<Long> pages = new HashSet<>();
            for (final RegionSection section : all)
            {
                assertEquals(0, section.offset() % PAGE_SIZE, section.name());
                final long sectionPages = (section.lengthBytes() + PAGE_SIZE - 1) / PAGE_SIZE;
                for (long page = 0; page < sectionPages; page++)
                {
                    assertTrue(pages.add(section.offset() / PAGE_SIZE + page), "page shared: " + section.name());
                }
                final RegionSection found = region.section(section.name());
                assertEquals(section.offset(), found.offset(), section.name());
                assertEquals(section.lengthBytes(), found.lengthBytes(), section.name());
            }
            for (int t = 0; t < THREADS; t++)
            {
                for (int i = 0; i < PER_THREAD; i++)
                {
                    assertEquals(t * PER_THREAD + i, region.section("t" + t + "-" + i).buffer().getInt(0));
                }
            }
        }
    }
}

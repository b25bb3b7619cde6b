package io.pvnet.ring.region;

import io.pvnet.testsupport.ChildJvm;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.pvnet.ring.region.RegionDescriptor.PAGE_SIZE;
import static io.pvnet.ring.region.RegionDescriptor.headerLength;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SectionTable} under allocators racing: threads allocating at once into one region get distinct entries and
 * pages that never overlap, every section published and found by name; threads, and processes mapping one region
 * file, that ask for the same name at the same instant (a barrier before each name) see exactly one of them succeed
 * and the others refused with "section exists". {@code -Dpvnet.stress.sectionRounds=N} runs more rounds (beyond a
 * few thousand, lift the 60 s bound per test with {@code -Djunit.jupiter.execution.timeout.mode=disabled}).
 * <p>
 * Claim ages are decided on an injected clock wherever a test expects a claim to be fresh (or stale), so a loaded
 * machine that stalls a test for seconds cannot push a claim past the 5 s bound.
 */
@Timeout(60) // a hung child JVM fails its test instead of hanging the build
class SectionTableStressTest
{
    private static final int THREADS = 4;
    private static final int PER_THREAD = 200;
    /** Names every allocator asks for at once. */
    private static final int ROUNDS = Integer.getInteger("pvnet.stress.sectionRounds", 400);

    @TempDir
    Path dir;

    /** A section of 1 to 3 pages, by round: sections of several lengths, so that pages are checked too. */
    static int lengthOf(final int round)
    {
        return Integer.BYTES + (round % 3) * PAGE_SIZE;
    }

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

    @Test
    void shouldLetExactlyOneOfThreadsAllocatingTheSameNameAtOnceSucceed() throws Exception
    {
        // room for every allocator to win every round: a duplicate is seen as one, not as a full table
        final int capacity = THREADS * ROUNDS;
        final long length = headerLength(capacity) + (long)capacity * 3 * PAGE_SIZE;
        try (Region region = Region.createAnonymous(length, capacity))
        {
            final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            final CyclicBarrier together = new CyclicBarrier(THREADS);
            final List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                results.add(pool.submit(() ->
                {
                    final int[] won = new int[ROUNDS];
                    for (int round = 0; round < ROUNDS; round++)
                    {
                        together.await(30, TimeUnit.SECONDS);
                        try
                        {
                            region.allocateSection("s" + round, lengthOf(round)).buffer().putInt(0, thread + 1);
                            won[round] = 1;
                        }
                        catch (final RegionException ex)
                        {
                            assertTrue(ex.getMessage().contains("section exists: name=s" + round), ex.getMessage());
                        }
                    }
                    return won;
                }));
            }
            final List<int[]> wins = new ArrayList<>();
            for (final Future<int[]> result : results)
            {
                try
                {
                    wins.add(result.get(60, TimeUnit.SECONDS));
                }
                catch (final java.util.concurrent.ExecutionException ex)
                {
                    // the first failure, not the broken barrier it left the others
                    if (!(ex.getCause() instanceof java.util.concurrent.BrokenBarrierException))
                    {
                        throw ex;
                    }
                }
            }
            assertEquals(THREADS, wins.size(), "threads that ran every round");
            final int[] winners = new int[ROUNDS];
            final int[] winner = new int[ROUNDS];
            for (int t = 0; t < THREADS; t++)
            {
                final int[] won = wins.get(t);
                for (int round = 0; round < ROUNDS; round++)
                {
                    winners[round] += won[round];
                    winner[round] = won[round] == 1 ? t + 1 : winner[round];
                }
            }
            pool.shutdown();
            for (int round = 0; round < ROUNDS; round++)
            {
                assertEquals(1, winners[round], "allocations of s" + round + " that succeeded");
                assertEquals(winner[round], region.section("s" + round).buffer().getInt(0), "s" + round);
            }
            assertPublishedOnceEachWithoutSharedPages(region);
        }
    }

    @Test
    void shouldLetExactlyOneOfProcessesAllocatingTheSameNameAtOnceSucceed() throws Exception
    {
        final int processes = 2;
        final int capacity = processes * ROUNDS + 1;
        final Path path = dir.resolve("sections");
        try (Region region = Region.create(path, headerLength(capacity) + (long)capacity * 3 * PAGE_SIZE, capacity))
        {
            region.allocateSection("barrier", Integer.BYTES);
            final List<Process> children = new ArrayList<>();
            for (int p = 0; p < processes; p++)
            {
                children.add(ChildJvm.of(SectionTableAllocatorMain.class)
                    .arguments(path.toString(), Integer.toString(ROUNDS), Integer.toString(processes),
                        Integer.toString(p + 1))
                    .processBuilder().start());
            }
            int won = 0;
            for (final Process child : children)
            {
                // stdout and stderr together: the count is the last line
                final String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child did not end");
                assertEquals(0, child.exitValue(), out);
                won += Integer.parseInt(out.substring(out.lastIndexOf('\n') + 1));
            }
            assertEquals(ROUNDS, won, "allocations that succeeded in both processes together");
            for (int round = 0; round < ROUNDS; round++)
            {
                final int mark = region.section("s" + round).buffer().getInt(0);
                assertTrue(mark >= 1 && mark <= processes, "s" + round + " written by its winner: " + mark);
            }
            assertPublishedOnceEachWithoutSharedPages(region);
        }
    }

    @Test
    void shouldSkipAnEntryWhoseClaimerDiedBeforeNamingIt()
    {
        try (Region region = Region.createAnonymous(headerLength(4) + 4L * PAGE_SIZE, 4))
        {
            final int stateOffset = RegionDescriptor.sectionEntryOffset(0) + RegionDescriptor.SECTION_STATE_OFFSET;
            // pid 0x3FFF_FFFF lies above any pid_max (2^22): no process has it (an exited child's pid may be reused,
            // and then the allocator waits the live claimer out for NAMING_TIMEOUT_NS)
            region.buffer().putIntVolatile(stateOffset, RegionDescriptor.SECTION_CLAIMED | RegionDescriptor.SECTION_PID_MASK);

            final RegionSection section = region.allocateSection("after", 1);

            assertEquals(RegionDescriptor.SECTION_ABANDONED, region.buffer().getIntVolatile(stateOffset));
            assertEquals(section.offset(), region.section("after").offset());
            assertEquals(List.of("after"), region.sections().stream().map(RegionSection::name).toList());
            assertNull(region.findSection("nothing"));
            final RegionException twice = assertThrows(RegionException.class, () -> region.allocateSection("after", 1));
            assertTrue(twice.getMessage().contains("section exists: name=after"), twice.getMessage());
        }
    }

    @Test
    void shouldFreeTheNameOfAnEntryWhoseClaimerDiedAfterNamingIt()
    {
        try (Region region = Region.createAnonymous(headerLength(4) + 4L * PAGE_SIZE, 4))
        {
            // pid 0x3FFF_FFFF lies above any pid_max (2^22): no process has it
            final int stateOffset = writeEntry(region, 0, "vif1-tx", RegionDescriptor.SECTION_NAMED | RegionDescriptor.SECTION_PID_MASK,
                ProcessStart.UNKNOWN, System.currentTimeMillis());
            assertNull(region.findSection("vif1-tx"));

            final RegionSection section = region.allocateSection("vif1-tx", 1);

            assertEquals(RegionDescriptor.SECTION_ABANDONED, region.buffer().getIntVolatile(stateOffset));
            assertEquals(section.offset(), region.section("vif1-tx").offset());
            assertEquals(List.of("vif1-tx"), region.sections().stream().map(RegionSection::name).toList());
        }
    }

    @Test
    void shouldSayWhoIsAllocatingANamedEntryWhoseClaimerLives()
    {
        try (Region region = Region.createAnonymous(headerLength(4) + 4L * PAGE_SIZE, 4))
        {
            final int pid = (int)ProcessHandle.current().pid();
            final int named = RegionDescriptor.SECTION_NAMED | pid;
            final long claimedMs = 1_000_000;
            final int stateOffset = writeEntry(region, 0, "vif1-tx", named, ProcessStart.self(), claimedMs);
            // the clock stays at the claim time: the claim is fresh however long this test is descheduled
            final SectionTable table = new SectionTable(null, new UnsafeBuffer(region.buffer()), region.segment(),
                () -> claimedMs);

            final RegionException ex = assertThrows(RegionException.class, () -> table.allocate("vif1-tx", 1));

            assertTrue(ex.getMessage().contains("section exists: name=vif1-tx (being allocated by pid " + pid + ")"),
                ex.getMessage());
            assertEquals(named, region.buffer().getIntVolatile(stateOffset), "a live claimer's entry is left to it");
            assertEquals(pid, table.allocatingPid("vif1-tx"));
            // the region's own table reads the system clock: a claim time of now, and the bound made explicit
            final long nowMs = System.currentTimeMillis();
            region.buffer().putLongVolatile(RegionDescriptor.sectionEntryOffset(0) + RegionDescriptor.SECTION_CLAIM_TIME_OFFSET,
                nowMs);
            final RegionException missing = assertThrows(RegionException.class, () -> region.section("vif1-tx"));
            if (System.currentTimeMillis() - nowMs <= RegionDescriptor.SECTION_CLAIM_TIMEOUT_MS)
            {
                assertTrue(missing.getMessage().contains("no section named vif1-tx (being allocated by pid " + pid + ")"),
                    missing.getMessage());
            }
            assertEquals("other", table.allocate("other", 1).name(), "other names allocate past it");
        }
    }

    @Test
    void shouldTakeOverAClaimALivePidKeepsUnnamedPastTheTimeout()
    {
        // a live pid that never names its claim: a reused pid, or a claimer in another pid namespace
        try (Region region = Region.createAnonymous(headerLength(4) + 4L * PAGE_SIZE, 4))
        {
            final int stateOffset = RegionDescriptor.sectionEntryOffset(0) + RegionDescriptor.SECTION_STATE_OFFSET;
            region.buffer().putIntVolatile(stateOffset, RegionDescriptor.SECTION_CLAIMED | (int)ProcessHandle.current().pid());
            final long startNs = System.nanoTime();

            final RegionSection section = region.allocateSection("after", 1);

            assertTrue(System.nanoTime() - startNs >= SectionTable.NAMING_TIMEOUT_NS, "waited the claimer out first");
            assertEquals(RegionDescriptor.SECTION_ABANDONED, region.buffer().getIntVolatile(stateOffset));
            assertEquals(section.offset(), region.section("after").offset());
        }
    }

    @Test
    void shouldNotClaimAFreeEntryBelowTheSectionCountAheadOfALaterSameName()
    {
        try (Region region = Region.createAnonymous(headerLength(4) + 4L * PAGE_SIZE, 4))
        {
            final RegionSection first = region.allocateSection("gap", 1);
            final RegionSection tx = region.allocateSection("vif1-tx", 1);
            // entry 0 free again below the count: the gap a dead allocator of another protocol leaves
            region.buffer().putIntVolatile(RegionDescriptor.sectionEntryOffset(0) + RegionDescriptor.SECTION_STATE_OFFSET,
                RegionDescriptor.SECTION_FREE);

            final RegionException ex = assertThrows(RegionException.class, () -> region.allocateSection("vif1-tx", 1));

            assertTrue(ex.getMessage().contains("section exists: name=vif1-tx"), ex.getMessage());
            assertEquals(tx.offset(), region.section("vif1-tx").offset());
            final RegionSection next = region.allocateSection("next", 1);
            assertTrue(next.offset() > tx.offset() && next.offset() != first.offset(), "claimed past the gap");
            assertEquals(List.of("vif1-tx", "next"), region.sections().stream().map(RegionSection::name).toList());
        }
    }

    @Test
    void shouldTakeOverANamedClaimOfALiveProcessOnlyOnceItIsOlderThanTheBound() throws Exception
    {
        final Process claimer = sleeper();
        try (Region region = Region.createAnonymous(headerLength(4) + 4L * PAGE_SIZE, 4))
        {
            final long claimedMs = 1_000_000;
            final int named = RegionDescriptor.SECTION_NAMED | (int)claimer.pid();
            final int stateOffset = writeEntry(region, 0, "vif1-tx", named, ProcessStart.read(claimer.pid()), claimedMs);
            final long[] nowMs = {claimedMs};
            final SectionTable table = new SectionTable(null, new UnsafeBuffer(region.buffer()), region.segment(),
                () -> nowMs[0]);

            for (final long ageMs : new long[] {0, 1, RegionDescriptor.SECTION_CLAIM_TIMEOUT_MS})
            {
                nowMs[0] = claimedMs + ageMs;
                final RegionException ex = assertThrows(RegionException.class, () -> table.allocate("vif1-tx", 1));
                assertTrue(ex.getMessage().contains("section exists: name=vif1-tx (being allocated by pid "
                    + claimer.pid() + ")"), ex.getMessage());
                assertEquals(named, region.buffer().getIntVolatile(stateOffset), "a live claim within the bound is left");
                assertEquals(claimer.pid(), table.allocatingPid("vif1-tx"));
            }
            nowMs[0] = claimedMs - RegionDescriptor.SECTION_CLAIM_TIMEOUT_MS; // the clock stepped back: still its claim
            assertThrows(RegionException.class, () -> table.allocate("vif1-tx", 1));

            nowMs[0] = claimedMs + RegionDescriptor.SECTION_CLAIM_TIMEOUT_MS + 1; // stuck: the claim outlived the bound
            assertEquals(-1, table.allocatingPid("vif1-tx"), "a dead claim is no allocation");
            final RegionSection section = table.allocate("vif1-tx", 1);

            assertTrue(claimer.isAlive());
            assertEquals(RegionDescriptor.SECTION_ABANDONED, region.buffer().getIntVolatile(stateOffset));
            assertEquals(section.offset(), region.section("vif1-tx").offset());
            assertEquals(List.of("vif1-tx"), region.sections().stream().map(RegionSection::name).toList());
        }
        finally
        {
            claimer.destroyForcibly().waitFor();
        }
    }

    @Test
    void shouldTakeOverAtOnceANamedClaimWhosePidNowBelongsToAnotherProcess() throws Exception
    {
        final Process other = sleeper();
        try (Region region = Region.createAnonymous(headerLength(4) + 4L * PAGE_SIZE, 4))
        {
            final long liveStart = ProcessStart.read(other.pid());
            assertTrue(liveStart > 0, "a start time from /proc/" + other.pid() + "/stat");
            // the claimer that recorded this pid started a tick earlier: the live process with the pid is another one
            final int stateOffset = writeEntry(region, 0, "vif1-tx", RegionDescriptor.SECTION_NAMED | (int)other.pid(),
                liveStart - 1, System.currentTimeMillis());

            final RegionSection section = region.allocateSection("vif1-tx", 1);

            assertEquals(RegionDescriptor.SECTION_ABANDONED, region.buffer().getIntVolatile(stateOffset));
            assertEquals(section.offset(), region.section("vif1-tx").offset());
        }
        finally
        {
            other.destroyForcibly().waitFor();
        }
    }

    @Test
    void shouldNeverTakeOverAFreshClaimOfALiveClaimerInAnotherProcessButFreeItsNameOnceItIsKilled() throws Exception
    {
        final Path path = dir.resolve("stuck");
        try (Region region = Region.create(path, headerLength(4) + 4L * PAGE_SIZE, 4))
        {
            final Process claimer = ChildJvm.of(StuckClaimerMain.class).arguments(path.toString(), "vif1-tx")
                .processBuilder().redirectErrorStream(true).start();
            try
            {
                assertEquals("named 0", awaitLine(claimer, "named", 30), "the claimer named entry 0");
                final int entry = RegionDescriptor.sectionEntryOffset(0);
                final int stateOffset = entry + RegionDescriptor.SECTION_STATE_OFFSET;
                final int named = region.buffer().getIntVolatile(stateOffset);
                assertEquals(RegionDescriptor.SECTION_NAMED | (int)claimer.pid(), named);
                assertEquals(ProcessStart.read(claimer.pid()), region.buffer().getLong(
                    entry + RegionDescriptor.SECTION_CLAIMER_START_OFFSET), "its own start time, as this process reads it");
                final long claimedMs = region.buffer().getLong(entry + RegionDescriptor.SECTION_CLAIM_TIME_OFFSET);
                assertTrue(Math.abs(System.currentTimeMillis() - claimedMs) < 60_000, "its claim time: " + claimedMs);
                // this side's clock stays at the claim time: fresh however long a loaded machine stalls this test
                final SectionTable table = new SectionTable(path, new UnsafeBuffer(region.buffer()), region.segment(),
                    () -> claimedMs);

                for (int i = 0; i < 20; i++)
                {
                    final RegionException ex = assertThrows(RegionException.class, () -> table.allocate("vif1-tx", 1));
                    assertTrue(ex.getMessage().contains("(being allocated by pid " + claimer.pid() + ")"), ex.getMessage());
                }
                assertEquals(named, region.buffer().getIntVolatile(stateOffset), "a live, fresh claim is left to it");

                assertTrue(claimer.destroyForcibly().waitFor(10, TimeUnit.SECONDS), "the claimer ended");
                final RegionSection section = table.allocate("vif1-tx", 1);
                assertEquals(RegionDescriptor.SECTION_ABANDONED, region.buffer().getIntVolatile(stateOffset));
                assertEquals(section.offset(), region.section("vif1-tx").offset());
            }
            finally
            {
                claimer.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void shouldClaimOnceMoreAndFindTheNameTakenWhenItsClaimWasTakenOverWhileItWasStopped()
    {
        try (Region region = Region.createAnonymous(headerLength(4) + 4L * PAGE_SIZE, 4))
        {
            final long claimedMs = 1_000_000;
            final SectionTable stopped = tableAt(region, claimedMs);
            final int index = stopped.claimNamed("vif1-tx", 1);
            // another allocator 5 s and a bit later: the claim outlived the bound while its claimer was stopped
            final RegionSection taker = tableAt(region, claimedMs + RegionDescriptor.SECTION_CLAIM_TIMEOUT_MS + 1)
                .allocate("vif1-tx", 1);

            final RegionException ex = assertThrows(RegionException.class,
                () -> stopped.publishClaimed(index, "vif1-tx", 1));

            assertTrue(ex.getMessage().contains("section exists: name=vif1-tx"), ex.getMessage());
            assertEquals(RegionDescriptor.SECTION_ABANDONED, stateOf(region, index));
            assertEquals(List.of("vif1-tx"), region.sections().stream().map(RegionSection::name).toList());
            assertEquals(taker.offset(), region.section("vif1-tx").offset());
        }
    }

    @Test
    void shouldClaimOnceMoreAndPublishWhenItsClaimWasTakenOverByAnAllocatorThatGaveUp()
    {
        try (Region region = Region.createAnonymous(headerLength(4) + 4L * PAGE_SIZE, 4))
        {
            final long claimedMs = 1_000_000;
            final SectionTable stopped = tableAt(region, claimedMs);
            final int index = stopped.claimNamed("vif1-tx", 1);
            final SectionTable taker = tableAt(region, claimedMs + RegionDescriptor.SECTION_CLAIM_TIMEOUT_MS + 1);
            final int takerIndex = taker.claimNamed("vif1-tx", 1);
            assertEquals(RegionDescriptor.SECTION_ABANDONED, stateOf(region, index), "taken over");
            // the taker gives up before publishing (as one finding no room does)
            final int entry = RegionDescriptor.sectionEntryOffset(takerIndex);
            region.buffer().putIntVolatile(entry + RegionDescriptor.SECTION_STATE_OFFSET, RegionDescriptor.SECTION_ABANDONED);

            final RegionSection section = stopped.publishClaimed(index, "vif1-tx", 1);

            assertEquals(List.of("vif1-tx"), region.sections().stream().map(RegionSection::name).toList());
            assertEquals(section.offset(), region.section("vif1-tx").offset());
            assertEquals(RegionDescriptor.SECTION_READY, stateOf(region, takerIndex + 1), "a fresh entry");
        }
    }

    /** {@return a table over {@code region} whose clock stands at {@code nowMs}} */
    private static SectionTable tableAt(final Region region, final long nowMs)
    {
        return new SectionTable(null, new UnsafeBuffer(region.buffer()), region.segment(), () -> nowMs);
    }

    private static int stateOf(final Region region, final int index)
    {
        return region.buffer().getIntVolatile(RegionDescriptor.sectionEntryOffset(index) + RegionDescriptor.SECTION_STATE_OFFSET);
    }

    /**
     * {@return the first line of {@code process}'s output that starts with {@code prefix} (the JVM may print warnings
     * first), or null at its end}; fails after {@code timeoutSeconds}, and the caller's cleanup kills the process
     */
    private static String awaitLine(final Process process, final String prefix, final long timeoutSeconds)
        throws Exception
    {
        final java.io.BufferedReader out = new java.io.BufferedReader(
            new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final CompletableFuture<String> line = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                String read;
                do
                {
                    read = out.readLine();
                }
                while (read != null && !read.startsWith(prefix));
                return read;
            }
            catch (final java.io.IOException ex)
            {
                return null;
            }
        });
        return line.get(timeoutSeconds, TimeUnit.SECONDS); // a TimeoutException fails the test
    }

    /** {@return a live process that is not this one (and not a claimer of anything)} */
    private static Process sleeper() throws java.io.IOException
    {
        return new ProcessBuilder("sleep", "60").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /**
     * Writes entry {@code index} as an allocator of {@code name} left it in {@code state}, with the claimer's start
     * time and claim time it recorded; returns its state offset.
     */
    private static int writeEntry(
        final Region region, final int index, final String name, final int state, final long claimerStart,
        final long claimTimeMs)
    {
        final int entry = RegionDescriptor.sectionEntryOffset(index);
        region.buffer().putInt(entry + RegionDescriptor.SECTION_NAME_LENGTH_OFFSET, name.length());
        region.buffer().putBytes(entry + RegionDescriptor.SECTION_NAME_OFFSET, name.getBytes(StandardCharsets.US_ASCII));
        region.buffer().putLong(entry + RegionDescriptor.SECTION_CLAIMER_START_OFFSET, claimerStart);
        region.buffer().putLong(entry + RegionDescriptor.SECTION_CLAIM_TIME_OFFSET, claimTimeMs);
        region.buffer().putIntVolatile(entry + RegionDescriptor.SECTION_STATE_OFFSET, state);
        return entry + RegionDescriptor.SECTION_STATE_OFFSET;
    }

    @Test
    void shouldKeepFreeEntriesWhenASectionDoesNotFit()
    {
        try (Region region = Region.createAnonymous(headerLength(2) + PAGE_SIZE, 2))
        {
            final RegionException tooBig = assertThrows(RegionException.class,
                () -> region.allocateSection("big", 2 * PAGE_SIZE));
            assertTrue(tooBig.getMessage().contains("no room for section: name=big lengthBytes=8192 freeBytes=4096"),
                tooBig.getMessage());
            region.allocateSection("a", 1);
            final RegionException full = assertThrows(RegionException.class, () -> region.allocateSection("b", 1));
            assertTrue(full.getMessage().contains("no room"), full.getMessage());
        }
    }

    /** Every published section's name once, its pages its own, each found by name where it was listed. */
    private static void assertPublishedOnceEachWithoutSharedPages(final Region region)
    {
        final Set<String> names = new HashSet<>();
        final Set<Long> pages = new HashSet<>();
        for (final RegionSection section : region.sections())
        {
            assertTrue(names.add(section.name()), "published twice: " + section.name());
            final long sectionPages = (section.lengthBytes() + PAGE_SIZE - 1) / PAGE_SIZE;
            for (long page = 0; page < sectionPages; page++)
            {
                assertTrue(pages.add(section.offset() / PAGE_SIZE + page), "page shared: " + section.name());
            }
            assertEquals(section.offset(), region.section(section.name()).offset(), section.name());
        }
    }
}

package io.pvnet.ring.region;

import org.agrona.concurrent.AtomicBuffer;

import java.nio.file.Path;

/**
 * One of the processes of {@link SectionTableStressTest}'s cross-process run, in a second JVM: maps the region, and
 * for each round meets the other processes at the barrier word of section {@code barrier} (an add, then a spin until
 * every process has added), then allocates {@code s<round>}, which every process asks for at once. Prints how many
 * of its allocations succeeded; any other failure than "section exists" exits 1 with the reason on stderr.
 */
public final class SectionTableAllocatorMain
{
    private SectionTableAllocatorMain()
    {
    }

    public static void main(final String[] args)
    {
        final Path path = Path.of(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final int processes = Integer.parseInt(args[2]);
        final int mark = Integer.parseInt(args[3]);
        int won = 0;
        try (Region region = Region.open(path))
        {
            final AtomicBuffer barrier = region.section("barrier").buffer();
            for (int round = 0; round < rounds; round++)
            {
                barrier.getAndAddInt(0, 1);
                final long deadline = System.nanoTime() + 30_000_000_000L;
                while (barrier.getIntVolatile(0) < processes * (round + 1))
                {
                    Thread.yield();
                    if (System.nanoTime() - deadline > 0)
                    {
                        System.err.println("the other process did not reach round " + round);
                        System.exit(1);
                    }
                }
                try
                {
                    region.allocateSection("s" + round, SectionTableStressTest.lengthOf(round)).buffer().putInt(0, mark);
                    won++;
                }
                catch (final RegionException ex)
                {
                    if (!ex.getMessage().contains("section exists: name=s" + round))
                    {
                        System.err.println(ex.getMessage());
                        System.exit(1);
                    }
                }
            }
        }
        System.out.println(won);
    }
}

package io.pvnet.perf.bench;

import io.pvnet.engine.VifRegion;
import io.pvnet.ring.region.Region;

import java.nio.file.Path;

/** Regions for in-process scenarios, sized from their vif count. */
final class BenchRegions
{
    private BenchRegions()
    {
    }

    /**
     * @return an anonymous region for a few vifs; for more than 64 a sparse file under {@code /dev/shm} (removed on
     *         close), since anonymous memory is zeroed up front (2 GiB for a thousand vifs) and a file's untouched pages
     *         cost nothing.
     */
    static Region forVifs(final int vifs)
    {
        if (vifs <= 64)
        {
            return Region.createAnonymous(VifRegion.regionBytes(vifs), VifRegion.sectionCapacity(vifs));
        }
        final Path path = Path.of("/dev/shm", "pvnet-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        return Region.create(path, VifRegion.regionBytes(vifs), VifRegion.sectionCapacity(vifs));
    }
}

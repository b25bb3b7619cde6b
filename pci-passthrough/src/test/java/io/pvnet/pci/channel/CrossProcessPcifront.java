package io.pvnet.pci.channel;

import io.pvnet.pci.backend.VirtualConfigSpace;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.file.Path;

/**
 * The guest side of {@link CrossProcessPciTest}, in its own JVM: opens the region by path, finds its pci section by
 * name, reads and sizes BAR0 through the shared page, and writes into BAR0's window. Prints what it saw.
 */
public final class CrossProcessPcifront
{
    private CrossProcessPcifront()
    {
    }

    public static void main(final String[] args)
    {
        final int domid = Integer.parseInt(args[1]);
        try (Region region = Region.open(Path.of(args[0])))
        {
            final PciSection section = PciSection.find(region, domid);
            final PcifrontChannel front = new PcifrontChannel(section, null, new YieldingIdleStrategy(),
                new SystemNanoClock(), 60_000_000_000L);
            final long ids = front.configRead(0, 0, 0, 0, 4);
            final int saved = VirtualConfigSpace.value(front.configRead(0, 0, 0, 0x10, 4));
            front.configWrite(0, 0, 0, 0x10, 4, 0xFFFFFFFF);
            final int sized = VirtualConfigSpace.value(front.configRead(0, 0, 0, 0x10, 4));
            front.configWrite(0, 0, 0, 0x10, 4, saved);
            final PciSection.WindowEntry bar0 = section.windows().getFirst();
            section.buffer().putIntVolatile((int)bar0.dataOffset() + 0x40, 0x5EC7105);
            System.out.printf("err=%d ids=%08x size=%d window=%d/%d%n", VirtualConfigSpace.error(ids),
                VirtualConfigSpace.value(ids), ~(sized & ~0xF) + 1, bar0.barIndex(), bar0.lengthBytes());
        }
    }
}

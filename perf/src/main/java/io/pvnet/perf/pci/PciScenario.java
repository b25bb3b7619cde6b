package io.pvnet.perf.pci;

import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.backend.Pciback;
import io.pvnet.pci.backend.VirtualConfigSpace;
import io.pvnet.pci.backend.WarningSink;
import io.pvnet.pci.channel.PciSection;
import io.pvnet.pci.channel.PciSharedInfoDescriptor;
import io.pvnet.pci.channel.PcibackAgent;
import io.pvnet.pci.channel.PcifrontChannel;
import io.pvnet.pci.device.BarSpec;
import io.pvnet.pci.device.EmulatedDeviceBuilder;
import io.pvnet.pci.spec.DomainConfigParser;
import io.pvnet.pci.spec.HideSpecParser;
import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.perf.harness.ScenarioContext;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./pvnet bench --scenario pci}: guest config reads of an emulated device, through the pcifront/pciback shared
 * page in a region section with the backend agent on its own thread (round trips/s), next to the same reads made
 * directly on the virtual config space in one thread (the baseline: the cost of virtualization alone).
 */
public final class PciScenario implements Scenario
{
    private static final int DOMID = 1;

    @Override
    public String name()
    {
        return "pci";
    }

    @Override
    public String description()
    {
        return "pcifront conf_read round trips through the shared page vs direct virtual config reads (Mops/s)";
    }

    @Override
    public int measurementCount()
    {
        return 2;
    }

    @Override
    public int busyThreads()
    {
        return 2;
    }

    @Override
    public void run(final ScenarioContext context) throws Exception
    {
        final PciDevice device = new EmulatedDeviceBuilder(PciAddress.parse("03:00.0"))
            .ids(0x8086, 0x10d3).classCode(0x020000).bar(0, BarSpec.mem32(128 * 1024, false))
            .powerManagement().msi(4, true, true).msix(8, 0, 0x10000, 0x18000).pcie(0).build();
        final Pciback pciback = new Pciback(List.of(device), WarningSink.STDERR);
        pciback.hide(HideSpecParser.parseXen("(03:00.0)"));
        pciback.attach(DOMID, DomainConfigParser.parse("pci = ['03:00.0']").pci());
        final VirtualConfigSpace guest = pciback.exportedAs(device.address()).config();

        context.baseline("direct");
        final double direct = measure(context, "direct.conf_read", offset -> guest.read(offset, 4));
        context.report("direct.conf_read", direct * 1e-6, "Mops/s");

        try (Region region = Region.createAnonymous(1 << 20))
        {
            final PciSection section = PciSection.allocate(region, DOMID, 4, 0);
            // yielding on both sides: two spinners on a loaded 2-core machine starve each other
            final AgentRunner runner = new AgentRunner(new YieldingIdleStrategy(), Throwable::printStackTrace, null,
                new PcibackAgent(pciback, section, null));
            AgentRunner.startOnThread(runner);
            try
            {
                final PcifrontChannel front = new PcifrontChannel(section, null, new YieldingIdleStrategy(),
                    new SystemNanoClock(), PciSharedInfoDescriptor.FRONTEND_TIMEOUT_NS);
                final double channel = measure(context, "pcifront.conf_read",
                    offset -> front.configRead(0, 0, 0, offset, 4));
                context.report("pcifront.conf_read", channel * 1e-6, "Mops/s");
                context.report("pcifront.conf_read.mean", 1e9 / channel, "ns");
                context.report("pcifront.timeouts", front.timeouts(), "ops");
            }
            finally
            {
                runner.close();
            }
        }
    }

    /** An operation on one config offset, returning the packed result (kept so the JIT cannot drop it). */
    private interface ConfigOp
    {
        long apply(int offset);
    }

    private static double measure(final ScenarioContext context, final String figure, final ConfigOp op)
    {
        final AtomicLong count = new AtomicLong();
        long sink = 0;
        try (ProgressPrinter.Line ignored = context.progress(figure + " (warm-up)", count::get, 1e-6, "Mops/s"))
        {
            sink += loop(op, count, System.nanoTime() + context.warmup().toNanos());
        }
        count.set(0);
        final long start = System.nanoTime();
        try (ProgressPrinter.Line ignored = context.progress(figure, count::get, 1e-6, "Mops/s"))
        {
            sink += loop(op, count, start + context.duration().toNanos());
        }
        final long elapsed = System.nanoTime() - start;
        if (sink == 42)
        {
            System.out.print("");
        }
        return count.get() * 1e9 / elapsed;
    }

    private static long loop(final ConfigOp op, final AtomicLong count, final long deadline)
    {
        long sink = 0;
        long done = 0;
        while (true)
        {
            for (int i = 0; i < 1024; i++)
            {
                sink += op.apply((i * 4) & 0xFC);
            }
            done += 1024;
            count.lazySet(done);
            if (System.nanoTime() - deadline >= 0)
            {
                return sink;
            }
        }
    }
}

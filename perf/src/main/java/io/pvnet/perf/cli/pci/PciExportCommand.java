package io.pvnet.perf.cli.pci;

import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.backend.ExportedDevice;
import io.pvnet.pci.backend.Pciback;
import io.pvnet.pci.backend.WarningSink;
import io.pvnet.pci.channel.BarWindow;
import io.pvnet.pci.channel.PciSection;
import io.pvnet.pci.channel.PcibackAgent;
import io.pvnet.pci.channel.RealBarMapper;
import io.pvnet.pci.spec.DomainConfig;
import io.pvnet.pci.spec.DomainConfigParser;
import io.pvnet.pci.spec.HideSpec;
import io.pvnet.pci.spec.HideSpecParser;
import io.pvnet.pci.spec.PciAssignment;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code pvnet pci export CONFIG}: exports the devices of an xl domain configuration's {@code pci = [...]} list into a
 * region section {@code pci-<domid>} (shared page and BAR windows) and prints the guest's topology, each BAR's window
 * or the reason it has none. Real BARs are mapped only for devices named with {@code --map-bar}, read-only unless also
 * named with {@code --map-bar-writable}. With {@code --serve} the backend agent answers pcifront for that long.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "export",
    description = "Export a domain config's pci = [...] devices into a region section and show the BAR windows.")
public final class PciExportCommand extends PciCommand.Subcommand
{
    @Parameters(paramLabel = "CONFIG", description = "xl domain configuration with a pci = [...] list")
    Path config;

    @Option(names = "--domid", paramLabel = "N", description = "Guest domain id (default: ${DEFAULT-VALUE}).")
    int domid = 1;

    @Option(names = "--map-bar", paramLabel = "ADDR",
        description = "Map this real device's memory BARs (sysfs resourceN, read-only) into its windows.")
    List<String> mapBar = new ArrayList<>();

    @Option(names = "--map-bar-writable", paramLabel = "ADDR",
        description = "Map this real device's memory BARs read-write (implies --map-bar). Use with care.")
    List<String> mapBarWritable = new ArrayList<>();

    @Option(names = "--region", paramLabel = "FILE", description = "Create the region as FILE (default: anonymous).")
    Path regionFile;

    @Option(names = "--window-bytes", paramLabel = "N",
        description = "Region memory for emulated BAR windows (default: ${DEFAULT-VALUE}).")
    int windowBytes = 16 << 20;

    @Option(names = "--topology", paramLabel = "vpci|passthrough",
        description = "How the guest sees the devices: vpci (virtual bus 00, the default) or passthrough (real " +
            "addresses, one root per bus), as xen-pciback's passthrough=0|1.")
    String topology = "vpci";

    @Option(names = "--serve", paramLabel = "SECONDS", description = "Answer pcifront for this long, then exit.")
    int serveSeconds;

    @Mixin
    DeviceSources sources;

    @Override
    int execute()
    {
        final DomainConfig domain = DomainConfigParser.parse(DeviceSources.read(config));
        if (domain.pci().isEmpty())
        {
            throw new IllegalArgumentException("no pci = [...] list in config=" + config);
        }
        final Set<PciAddress> mappable = new LinkedHashSet<>();
        final Set<PciAddress> writable = new LinkedHashSet<>();
        for (final String address : mapBarWritable)
        {
            writable.add(PciAddress.parse(address));
        }
        for (final String address : mapBar)
        {
            mappable.add(PciAddress.parse(address));
        }
        mappable.addAll(writable);

        final io.pvnet.pci.backend.PciTopology guestView = io.pvnet.pci.backend.PciTopology.parse(topology);
        final List<PciDevice> devices = sources.load();
        final Pciback pciback = new Pciback(devices, WarningSink.STDERR, guestView);
        final List<io.pvnet.pci.spec.PciSelector> selectors = new ArrayList<>();
        for (final PciAssignment assignment : domain.pci())
        {
            selectors.add(assignment.selector());
        }
        // hiding here only marks the devices assignable inside this process; no driver is unbound
        pciback.hide(new HideSpec(HideSpecParser.Grammar.XEN, selectors));
        final List<ExportedDevice> exported = pciback.attach(domid, domain.pci());

        final PrintWriter out = spec.commandLine().getOut();
        final int windows = Math.max(8, exported.size() * 7);
        final long regionBytes = (long)io.pvnet.pci.channel.PciSectionDescriptor.lengthBytes(windows, windowBytes) +
            (1 << 20);
        try (Arena arena = Arena.ofShared();
            Region region = regionFile == null ? Region.createAnonymous(regionBytes) :
                Region.create(regionFile, regionBytes))
        {
            final PciSection section = PciSection.allocate(region, domid, windows, windowBytes);
            final RealBarMapper mapper = new RealBarMapper(sources.sysfs,
                new RealBarMapper.Policy(mappable, writable), arena);
            out.printf("domain %d%s: %d device%s in section %s%n", domid,
                domain.name() == null ? "" : " (" + domain.name() + ")", exported.size(),
                exported.size() == 1 ? "" : "s", PciSection.sectionName(domid));
            final List<io.pvnet.pci.backend.PciRoot> roots = pciback.roots(domid);
            out.printf("  topology %s, root_num %d:", guestView.name().toLowerCase(java.util.Locale.ROOT),
                roots.size());
            for (int i = 0; i < roots.size(); i++)
            {
                out.printf(" root-%d=%s", i, roots.get(i));
            }
            out.println();
            for (final ExportedDevice device : exported)
            {
                out.printf("  %s -> %s (%s%s)%n", device.device().address(), device.virtualAddress(),
                    device.device().isEmulated() ? "emulated" : "real",
                    device.device().driver() == null ? "" : ", driver " + device.device().driver());
                final List<String> reasons = new ArrayList<>();
                for (final BarWindow window : section.exportBars(device, mapper, reasons))
                {
                    out.printf("    BAR%d window %d bytes%s%n", window.barIndex(), window.lengthBytes(),
                        window.isExternal() ? (window.isReadOnly() ? " (real, read-only)" : " (real, read-write)") :
                            " (region memory)");
                }
                for (final String reason : reasons)
                {
                    out.printf("    no window: %s%n", reason);
                }
            }
            out.flush();
            if (serveSeconds > 0)
            {
                try (AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null,
                    new PcibackAgent(pciback, section, null)))
                {
                    AgentRunner.startOnThread(runner);
                    out.printf("serving pcifront for %d s%s%n", serveSeconds,
                        regionFile == null ? "" : " on region " + regionFile);
                    out.flush();
                    Thread.sleep(serveSeconds * 1000L);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return 0;
    }
}

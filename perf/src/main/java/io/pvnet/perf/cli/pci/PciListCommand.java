package io.pvnet.perf.cli.pci;

import io.pvnet.pci.PciDevice;
import io.pvnet.pci.spec.DomainConfig;
import io.pvnet.pci.spec.DomainConfigParser;
import io.pvnet.pci.spec.HideSpec;
import io.pvnet.pci.spec.HideSpecParser;
import io.pvnet.pci.spec.PciAssignment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/** {@code pvnet pci list}: one line per device: address, class, vendor:device, driver, hidden or exported. */
@Command(
    mixinStandardHelpOptions = true,
    name = "list", description = "One line per PCI device: address, class, vendor:device, driver, state.")
public final class PciListCommand extends PciCommand.Subcommand
{
    @Mixin
    DeviceSources sources;

    @Option(names = "--hide", paramLabel = "SPEC", description = "Mark the devices a hide list selects as hidden.")
    String hide;

    @Option(names = "--netbsd", description = "Parse --hide with NetBSD's grammar.")
    boolean netbsd;

    @Option(names = "--domain-config", paramLabel = "FILE",
        description = "Mark the devices of an xl domain configuration's pci = [...] list as exported.")
    Path domainConfig;

    @Override
    int execute()
    {
        final HideSpec hideSpec = hide == null ? null :
            HideSpecParser.parse(hide, netbsd ? HideSpecParser.Grammar.NETBSD : HideSpecParser.Grammar.XEN);
        final DomainConfig domain = domainConfig == null ? null :
            DomainConfigParser.parse(DeviceSources.read(domainConfig));
        final PrintWriter out = spec.commandLine().getOut();
        for (final PciDevice device : sources.load())
        {
            String state = "-";
            if (hideSpec != null && hideSpec.matches(device.address()))
            {
                state = "hidden";
            }
            if (domain != null)
            {
                for (final PciAssignment assignment : domain.pci())
                {
                    if (assignment.selector().matches(device.address()))
                    {
                        state = "exported" + (domain.name() == null ? "" : "(" + domain.name() + ")");
                    }
                }
            }
            final var config = device.snapshot();
            out.printf("%s %06x %04x:%04x %-12s %s%s%n", device.address(), config.classCode(), config.vendorId(),
                config.deviceId(), device.driver() == null ? "-" : device.driver(), state,
                device.isEmulated() ? " emulated" : "");
        }
        out.flush();
        return 0;
    }
}

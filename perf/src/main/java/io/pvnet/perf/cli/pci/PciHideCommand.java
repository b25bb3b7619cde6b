package io.pvnet.perf.cli.pci;

import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.spec.HideSpec;
import io.pvnet.pci.spec.HideSpecParser;
import io.pvnet.pci.spec.PciSelector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code pvnet pci hide SPEC [--netbsd] [--dry-run]}: parses a hide specification and lists what it selects. pvnet
 * never unbinds a real device's driver: hiding marks devices assignable inside pvnet's pciback only.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "hide", description = "Parse a pciback.hide specification and list the devices it selects.")
public final class PciHideCommand extends PciCommand.Subcommand
{
    @Parameters(paramLabel = "SPEC", description = "e.g. '(0000:03:00.0)(04:*.*)'")
    String specText;

    @Option(names = "--netbsd", description = "NetBSD's stricter grammar (no wildcards, no whitespace, 63 chars).")
    boolean netbsd;

    @Option(names = "--dry-run", description = "Only parse and list; do not mark anything hidden.")
    boolean dryRun;

    @Mixin
    DeviceSources sources;

    @Override
    int execute()
    {
        final HideSpec hide = HideSpecParser.parse(specText,
            netbsd ? HideSpecParser.Grammar.NETBSD : HideSpecParser.Grammar.XEN);
        final PrintWriter out = spec.commandLine().getOut();
        out.printf("grammar %s: %d entr%s%n", hide.grammar().name().toLowerCase(), hide.selectors().size(),
            hide.selectors().size() == 1 ? "y" : "ies");
        for (final PciSelector selector : hide.selectors())
        {
            out.printf("  %s (%d address%s)%n", selector, selector.expand().size(),
                selector.expand().size() == 1 ? "" : "es");
        }
        final List<PciDevice> selected = hide.select(sources.load());
        out.printf("selects %d present device%s:%n", selected.size(), selected.size() == 1 ? "" : "s");
        for (final PciDevice device : selected)
        {
            final var config = device.snapshot();
            out.printf("  %s %06x %04x:%04x %s%s%n", device.address(), config.classCode(), config.vendorId(),
                config.deviceId(), device.driver() == null ? "-" : device.driver(),
                device.isEmulated() ? " emulated" : "");
        }
        if (dryRun)
        {
            out.println("dry run: nothing hidden");
        }
        else
        {
            final io.pvnet.pci.backend.Pciback pciback = new io.pvnet.pci.backend.Pciback(selected,
                io.pvnet.pci.backend.WarningSink.STDERR);
            final List<PciAddress> hidden = pciback.hide(hide);
            out.printf("hidden %d device%s in this pvnet pciback (no driver was unbound; real devices stay in " +
                "use by their drivers)%n", hidden.size(), hidden.size() == 1 ? "" : "s");
        }
        out.flush();
        return 0;
    }
}

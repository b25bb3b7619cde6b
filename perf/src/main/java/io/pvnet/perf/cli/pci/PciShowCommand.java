package io.pvnet.perf.cli.pci;

import io.pvnet.pci.PciDevice;
import io.pvnet.pci.format.LspciFormatter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;


/** {@code pvnet pci show ADDR [--virtual]}: the decoded config space, as {@code lspci -vvn} prints it. */
@Command(
    mixinStandardHelpOptions = true,
    name = "show", description = "Decode a device's config space like lspci -vvn; --virtual: the guest's view.")
public final class PciShowCommand extends PciCommand.Subcommand
{
    @Parameters(paramLabel = "ADDR", description = "[DDDD:]BB:SS.F")
    String address;

    @Option(names = "--virtual", description = "Show what a guest sees once pciback exports the device.")
    boolean virtual;

    @Option(names = "--permissive", description = "With --virtual: export in permissive mode.")
    boolean permissive;

    @Mixin
    DeviceSources sources;

    @Override
    int execute()
    {
        final PciDevice device = sources.find(address);
        final String text;
        if (virtual)
        {
            final VirtualView view = new VirtualView(device, permissive);
            text = LspciFormatter.format(new LspciFormatter.View(view.exported.virtualAddress(), view.config,
                view.resources, -1, "pcifront"));
        }
        else
        {
            text = LspciFormatter.format(new LspciFormatter.View(device.address(), device.snapshot(),
                device.resources(), device.origin() == PciDevice.Origin.SYSFS ? device.irq() : -1, device.driver()));
        }
        spec.commandLine().getOut().print(text);
        spec.commandLine().getOut().flush();
        return 0;
    }
}

package io.pvnet.perf.cli.pci;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.device.LspciDump;
import io.pvnet.pci.format.LspciFormatter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;


/**
 * {@code pvnet pci dump ADDR [--virtual]}: a hex dump in {@code lspci -xxx} format (4096 bytes, as {@code -xxxx}, when
 * the device has extended config space), readable by {@code lspci -F FILE}.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "dump", description = "Hex dump like lspci -xxx (-xxxx with extended space), readable by lspci -F.")
public final class PciDumpCommand extends PciCommand.Subcommand
{
    @Parameters(paramLabel = "ADDR", description = "[DDDD:]BB:SS.F")
    String address;

    @Option(names = "--virtual", description = "Dump what a guest reads once pciback exports the device.")
    boolean virtual;

    @Option(names = "--bytes", paramLabel = "N", description = "64, 256 or 4096 (default: all the device has).")
    int bytes;

    @Mixin
    DeviceSources sources;

    @Override
    int execute()
    {
        final PciDevice device = sources.find(address);
        final ConfigSpace config;
        final io.pvnet.pci.PciAddress shown;
        if (virtual)
        {
            final VirtualView view = new VirtualView(device, false);
            config = view.config;
            shown = view.exported.virtualAddress();
        }
        else
        {
            config = device.snapshot();
            shown = device.address();
        }
        final int available = config.readableLength() > 256 ? 4096 : config.readableLength() > 64 ? 256 : 64;
        final int length = bytes == 0 ? available : bytes;
        if (length != 64 && length != 256 && length != 4096)
        {
            throw new IllegalArgumentException("--bytes must be 64, 256 or 4096: bytes=" + bytes);
        }
        if (length > available)
        {
            throw new IllegalArgumentException("device " + device.address() + " has only " +
                config.readableLength() + " readable config bytes: bytes=" + length);
        }
        final String line = LspciFormatter.terseLine(shown, config);
        spec.commandLine().getOut().print(LspciDump.write(shown, line.substring(line.indexOf(' ') + 1), config,
            length));
        spec.commandLine().getOut().flush();
        return 0;
    }
}

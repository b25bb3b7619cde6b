package io.pvnet.perf.cli.pci;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code pvnet pci ...}: inspect PCI devices (read only), decode and dump their config space and the guest's
 * virtualized view of it, and check hide specifications.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "pci",
    description = "pciback: list, show, dump PCI devices (read-only), check hide specifications, export devices.",
    subcommands = {
        PciListCommand.class,
        PciShowCommand.class,
        PciDumpCommand.class,
        PciHideCommand.class,
        PciExportCommand.class,
        CommandLine.HelpCommand.class
    })
public final class PciCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Base of the subcommands: runs {@link #execute()} and turns configuration errors (bad addresses, specs, files)
     * into one message on stderr and exit code 2, without a stack trace.
     */
    abstract static class Subcommand implements java.util.concurrent.Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract int execute();

        @Override
        public final Integer call()
        {
            try
            {
                return execute();
            }
            catch (final IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException ex)
            {
                spec.commandLine().getErr().println("pvnet pci " + spec.name() + ": " + ex.getMessage());
                spec.commandLine().getErr().flush();
                return 2;
            }
        }
    }
}

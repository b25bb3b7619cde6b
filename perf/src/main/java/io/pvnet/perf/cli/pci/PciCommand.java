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

        /**
         * {@return the one line for a failure: an I/O failure with its reason in words ({@code cannot read
         * file=/x: no such file}), never an exception's class name}
         */
        static String describe(final RuntimeException ex)
        {
            if (!(ex instanceof java.io.UncheckedIOException io))
            {
                return ex.getMessage();
            }
            final java.io.IOException cause = io.getCause();
            final String why = switch (cause)
            {
                case java.nio.file.NoSuchFileException ignored -> "no such file";
                case java.nio.file.AccessDeniedException ignored -> "permission denied";
                case java.nio.charset.CharacterCodingException ignored -> "not a text file";
                case java.nio.file.FileSystemException other when other.getReason() != null -> other.getReason();
                default -> cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
            };
            // new UncheckedIOException(cause) takes the cause's toString() as its message: the reason is all there is
            return io.getMessage() == null || io.getMessage().equals(cause.toString()) ? why : io.getMessage() + ": " + why;
        }

        @Override
        public final Integer call()
        {
            try
            {
                return execute();
            }
            catch (final IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException ex)
            {
                spec.commandLine().getErr().println("pvnet pci " + spec.name() + ": " + describe(ex));
                spec.commandLine().getErr().flush();
                return 2;
            }
        }
    }
}

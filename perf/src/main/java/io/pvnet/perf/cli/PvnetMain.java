package io.pvnet.perf.cli;

import io.pvnet.perf.BuildInfo;
import io.pvnet.perf.bench.BenchCommand;
import io.pvnet.perf.latency.LatencyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the executable jar behind {@code ./pvnet}: one picocli command per subcommand.
 * Modules contribute their own commands (for example {@code pci}, {@code offload}); this class only lists them.
 */
@Command(
    name = "pvnet",
    mixinStandardHelpOptions = true,
    versionProvider = PvnetMain.Version.class,
    description = "Xen paravirtualized networking in user space: rings, netfront/xnb, offload, switch, pciback.",
    subcommands = {
        BenchCommand.class,
        JmhCommand.class,
        OffloadCommand.class,
        io.pvnet.perf.cli.pci.PciCommand.class,
        LatencyCommand.class,
        io.pvnet.perf.cli.engine.StatCommand.class,
        io.pvnet.perf.cli.engine.IfconfigCommand.class,
        io.pvnet.perf.vif.VifRunCommand.class,
        io.pvnet.perf.cli.engine.SwitchCommand.class,
        io.pvnet.perf.cli.engine.GuestCommand.class,
        io.pvnet.perf.cli.engine.GenCommand.class,
        CommandLine.HelpCommand.class
    })
public final class PvnetMain implements Runnable
{
    /**
     * The checksum module's logger: held here, as a JUL logger whose level was set must stay reachable (JUL keeps its
     * loggers weakly) or a later lookup makes a new one at the default level.
     */
    private static final java.util.logging.Logger CHECKSUM_LOG = java.util.logging.Logger.getLogger("io.pvnet.checksum");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        configureLogging(System.getenv("PVNET_DEBUG") != null);
        System.exit(commandLine().execute(args));
    }

    /**
     * Log lines (a missing JVM flag, a vif's protocol error) on one line each, unless configured otherwise
     * ({@code -Djava.util.logging.config.file}). The checksum kernel's start-up line (INFO) is shown only when
     * debugging ({@code PVNET_DEBUG=1}): a user of stat, ifconfig or gen has no use for it on every run, and bench
     * prints the kernel in its header, where a figure depends on it; its warnings still show.
     *
     * @param debug whether {@code PVNET_DEBUG} is set.
     */
    static void configureLogging(final boolean debug)
    {
        if (null != System.getProperty("java.util.logging.config.file"))
        {
            return;
        }
        if (null == System.getProperty("java.util.logging.SimpleFormatter.format"))
        {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s %3$s: %5$s%6$s%n");
        }
        CHECKSUM_LOG.setLevel(debug ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING);
    }

    /** The configured command line, for tests that run subcommands in process. */
    public static CommandLine commandLine()
    {
        // help wraps at the terminal's width (at least 80 columns), not mid-word at a fixed 80
        final CommandLine commandLine = new CommandLine(new PvnetMain()).setCaseInsensitiveEnumValuesAllowed(true)
            .setUsageHelpWidth(100).setUsageHelpAutoWidth(true).setUsageHelpLongOptionsMaxWidth(30);
        commandLine.setParameterExceptionHandler(CommandErrors::parameterError);
        commandLine.setExecutionExceptionHandler(CommandErrors::executionError);
        // JMH parses its own options (-f, -wi, -prof ...): hand them to it as they are
        commandLine.getSubcommands().get("jmh").setUnmatchedOptionsArePositionalParams(true);
        return commandLine;
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            return new String[] {
                "pvnet " + BuildInfo.current().describe(),
                "JVM: " + Runtime.version() + " " + System.getProperty("java.vm.name")
            };
        }
    }
}

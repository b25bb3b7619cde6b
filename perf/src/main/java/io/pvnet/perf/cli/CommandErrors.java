package io.pvnet.perf.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * How every {@code pvnet} command reports a failure: one line naming the command and the problem, never a stack trace
 * (set {@code PVNET_DEBUG=1} to get one). Bad arguments: the line, then a hint to {@code --help}, exit 2. A failure
 * while running (a file that cannot be created, a region in use): the line, exit 1.
 */
final class CommandErrors
{
    private CommandErrors()
    {
    }

    static int parameterError(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine command = ex.getCommandLine();
        final PrintWriter err = command.getErr();
        err.println(name(command) + ": " + ex.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err))
        {
            err.println("Try '" + name(command) + " --help' for the options.");
        }
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    static int executionError(final Exception ex, final CommandLine command, final CommandLine.ParseResult parseResult)
    {
        final PrintWriter err = command.getErr();
        err.println(name(command) + ": " + describe(ex));
        if (System.getenv("PVNET_DEBUG") != null)
        {
            ex.printStackTrace(err);
        }
        err.flush();
        return command.getCommandSpec().exitCodeOnExecutionException();
    }

    /** @return the message, prefixed with the exception's simple name when it is not one of ours or says nothing. */
    static String describe(final Throwable ex)
    {
        final String message = ex.getMessage();
        if (message == null || message.isBlank())
        {
            return ex.getClass().getSimpleName() + (ex.getCause() != null ? ": " + describe(ex.getCause()) : "");
        }
        return ex instanceof RuntimeException && !ex.getClass().getName().startsWith("io.pvnet.")
            && !(ex instanceof IllegalArgumentException) && !(ex instanceof IllegalStateException) ?
            ex.getClass().getSimpleName() + ": " + message : message;
    }

    private static String name(final CommandLine command)
    {
        return command.getCommandSpec().qualifiedName(" ");
    }
}

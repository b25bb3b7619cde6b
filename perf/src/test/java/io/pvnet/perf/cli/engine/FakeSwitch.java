package io.pvnet.perf.cli.engine;

import io.pvnet.engine.control.ControlMessage;
import io.pvnet.engine.control.GuestShare;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.LinuxCalls;
import io.pvnet.ring.share.LinuxException;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;

/**
 * A switch's control socket as a test scripts it: the test accepts each guest's attach and answers it with what it
 * likes (a share, a wrong vif's share, something that is no share at all), drops the connection as a dying switch does,
 * and sees whether the guest closed its end. Test thread (or one server thread per test).
 */
final class FakeSwitch implements AutoCloseable
{
    private final ControlSocket listener;

    /** Listens on {@code region}'s control socket ({@code REGION.sock}), where a guest of that region attaches. */
    FakeSwitch(final Path region)
    {
        listener = ControlSocket.listen(RegionArgument.controlSocket(region), false);
    }

    /**
     * Accepts the next attach and answers it as the switch does: an ATTACHED of {@code shareBytes} with {@code shareFd}
     * (sent as the share's memfd, whatever it is) and a fresh kick eventfd (this side's copy closed once sent).
     *
     * @return the connection, open.
     * @throws IllegalStateException when this fake switch was closed before a guest connected, or the guest hung up
     *                               before its ATTACH.
     */
    ControlSocket answerNextAttach(final int shareFd, final long shareBytes)
    {
        final ControlSocket connection = listener.accept();
        if (connection == null)
        {
            throw new IllegalStateException("the fake switch was closed before a guest attached");
        }
        final int kick = LinuxCalls.eventfd();
        try
        {
            final ControlSocket.Message attach = connection.receive(0);
            if (attach == null)
            {
                throw new IllegalStateException("the guest hung up before its ATTACH");
            }
            attach.closeFds();
            connection.send(ControlMessage.attached(shareBytes).encode(), shareFd, kick);
            return connection;
        }
        catch (final RuntimeException ex)
        {
            connection.close();
            throw ex;
        }
        finally
        {
            LinuxCalls.close(kick);
        }
    }

    /** As {@link #answerNextAttach(int, long)} with {@code share}. */
    ControlSocket answerNextAttach(final GuestShare share)
    {
        return answerNextAttach(share.fd(), GuestShare.lengthBytes(1));
    }

    /** @return whether a guest's connection waits to be accepted (a connect completes into the backlog). */
    boolean connectionPending()
    {
        return awaitConnection(0);
    }

    /** @return whether a guest connected within {@code timeoutNs} (its connection waits to be accepted). */
    boolean awaitConnection(final long timeoutNs)
    {
        return listener.awaitReady(timeoutNs);
    }

    /**
     * Reads what the guest sends (store writes, counters) until it closes its end.
     *
     * @return true when the guest closed the connection within {@code timeoutNs}, false when it kept it open.
     */
    static boolean closedByGuestWithin(final ControlSocket connection, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        try
        {
            while (connection.awaitReady(Math.max(0, deadline - System.nanoTime())))
            {
                final ControlSocket.Message message = connection.receive(0);
                if (message == null)
                {
                    return true;
                }
                message.closeFds();
            }
            return false;
        }
        catch (final LinuxException ex)
        {
            return ex.errno() == LinuxCalls.ECONNRESET; // it closed with our answer unread
        }
    }

    /**
     * Runs {@code script} (what this switch does while the test's thread drives the guest) on a daemon thread of its
     * own: the common pool may have a single worker on a small machine, busy with another test's task.
     *
     * @return the script's result, once it ran.
     */
    static FutureTask<Boolean> run(final Callable<Boolean> script)
    {
        final FutureTask<Boolean> task = new FutureTask<>(script);
        Thread.ofPlatform().daemon().name("fake-switch").start(task);
        return task;
    }

    /** Stops listening and removes the socket file. */
    @Override
    public void close()
    {
        listener.close();
    }
}

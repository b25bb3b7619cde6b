package io.pvnet.engine.guest;

import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.frame.FrameHandler;
import org.agrona.concurrent.Agent;

/**
 * A TCP test's guests on one thread, as a {@link TrafficGenerator}'s poller: the server's vif (its frames to
 * {@code serverPath}, a test path in front of the server's stack, answered as {@link AnsweringPoll} takes them), the
 * chargen server's sends, and the client's vif (its frames to the client's stack, where gen's generator takes them).
 */
final class ServerAndClientGuests implements Agent
{
    private final AnsweringPoll answering = new AnsweringPoll();
    private final VifFrontend serverVif;
    private final FrameHandler serverPath;
    private final TcpChargenServer chargen;
    private final VifFrontend clientVif;
    private final GuestStack client;

    ServerAndClientGuests(final VifFrontend serverVif, final FrameHandler serverPath, final TcpChargenServer chargen,
        final VifFrontend clientVif, final GuestStack client)
    {
        this.serverVif = serverVif;
        this.serverPath = serverPath;
        this.chargen = chargen;
        this.clientVif = clientVif;
        this.client = client;
    }

    @Override
    public int doWork()
    {
        int work = serverVif.doWork();
        work += answering.poll(serverVif, serverPath, 64);
        work += chargen.doWork();
        serverVif.flush();
        work += clientVif.doWork();
        work += clientVif.poll(client, 64);
        clientVif.flush();
        return work;
    }

    @Override
    public String roleName()
    {
        return "guests";
    }
}

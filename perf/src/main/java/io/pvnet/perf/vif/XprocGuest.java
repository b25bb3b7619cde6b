package io.pvnet.perf.vif;

import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.control.GuestControlClient;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.vif.VifConfig;

import java.nio.file.Path;

/**
 * The guest end of the cross-process benchmarks: one vif attached through the host's control socket
 * ({@link XprocHost}) as {@code pvnet guest} attaches, its netfront in the sealed memory the host handed over and its
 * private store kept in step with the host's by {@link #sync()}, which also reports the frontend's {@code front-*}
 * counters to the host (at most every 100 ms, as {@code pvnet guest}).
 * <p>
 * Threading: the guest's duty thread ({@link #sync()} beside the frontend's calls).
 */
public final class XprocGuest implements AutoCloseable
{
    private final GuestControlClient client;
    private final VifFrontend frontend;

    private XprocGuest(final GuestControlClient client, final VifFrontend frontend)
    {
        this.client = client;
        this.frontend = frontend;
    }

    /**
     * Attaches vif {@code config} and creates its frontend.
     *
     * @throws IllegalStateException when the host refuses or is not there.
     */
    public static XprocGuest attach(final Path socket, final VifConfig config, final FrameOffload offload)
    {
        final GuestControlClient client = GuestControlClient.attach(socket, config);
        try
        {
            // counting into the client's front-* counters, which sync() reports to the host as pvnet guest's do
            return new XprocGuest(client, VifFrontend.create(client.store(), client.share().region(), client.kickFd(),
                config, client.frontCounters(), offload));
        }
        catch (final RuntimeException ex)
        {
            client.close();
            client.closeShare();
            throw ex;
        }
    }

    /** @return the vif's frontend. */
    public VifFrontend frontend()
    {
        return frontend;
    }

    /**
     * Applies the host's store changes and sends the guest's (negotiation); as {@code pvnet guest}, once per duty
     * cycle. Allocates nothing when nothing changed.
     *
     * @return messages applied or sent.
     */
    public int sync()
    {
        return client.sync();
    }

    /** @return why the host is gone, or null. */
    public String goneReason()
    {
        return client.goneReason();
    }

    /** Closes the frontend (Closing, then Closed as the host answers, for at most a second) and the connection. */
    @Override
    public void close()
    {
        client.leave(frontend);
    }
}

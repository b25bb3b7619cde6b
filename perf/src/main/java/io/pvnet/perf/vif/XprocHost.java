package io.pvnet.perf.vif;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.control.GuestControlServer;
import io.pvnet.ring.region.HostFile;
import io.pvnet.ring.share.ControlSocket;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The host end of the cross-process benchmarks ({@code vif-xproc} bench scenario, {@code latency --path vif-xproc}):
 * the isolated path real guests use, as {@code pvnet switch} serves it. The host keeps its store and counters in its
 * own anonymous memory ({@code Region.createAnonymous}); a guest process attaches each vif over a control socket in a
 * fresh 0700 directory and gets its own sealed memfd ({@code GuestShare}), never a region file.
 * <p>
 * Threading: create and close on one thread; the backends run wherever the caller runs them.
 */
public final class XprocHost implements AutoCloseable
{
    private final Path directory;
    private final Path socket;
    private final GuestControlServer server;

    /** The command of {@code pvnet bench --scenario vif-xproc}, as this host names itself. */
    public static final String BENCH = "bench";
    /** The command of {@code pvnet latency --path vif-xproc}, as this host names itself. */
    public static final String LATENCY = "latency";

    /**
     * Listens for guests of {@code backends} (owner: this process's uid).
     *
     * @param command   the pvnet command this host runs in ({@link #BENCH}, {@link #LATENCY}): its log lines and
     *                  refusals name it ({@code pvnet bench: ...}, {@code no vif9.0 on this bench process}), not a
     *                  switch.
     * @param vifRegion the host's region (anonymous memory) holding the backends' store and counters.
     * @param backends  the vifs a guest may attach.
     */
    public XprocHost(final String command, final VifRegion vifRegion, final VifBackend... backends)
    {
        try
        {
            directory = Files.createTempDirectory("pvnet-xproc-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        socket = directory.resolve("control.sock");
        final List<GuestControlServer.Vif> vifs = new ArrayList<>();
        for (final VifBackend backend : backends)
        {
            vifs.add(new GuestControlServer.Vif(backend.config(), backend, HostFile.effectiveUid()));
        }
        server = new GuestControlServer(ControlSocket.listen(socket, false), vifRegion.store(), vifs, command,
            new PrintStream(OutputStream.nullOutputStream())).start();
    }

    /** @return the control socket a guest process attaches through ({@link XprocGuest#attach}). */
    public Path socket()
    {
        return socket;
    }

    /** @return guests attached so far. */
    public long attaches()
    {
        return server.attaches();
    }

    /** Ends every guest's connection (they see the host go) and removes the socket and its directory. */
    @Override
    public void close()
    {
        server.close();
        try
        {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        }
        catch (final IOException ignored)
        {
            // a leftover empty directory in the temporary directory is harmless
        }
    }

    /** Unmaps the guests' shares; call after the backends stopped running. */
    public void closeShares()
    {
        server.closeShares();
    }
}

package io.pvnet.engine.control;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifPoller;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.event.EpollWaitPoint;
import io.pvnet.ring.event.EventSelector;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.event.RunnerStop;
import io.pvnet.ring.region.HostFile;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.ControlSocket;
import org.agrona.concurrent.AgentRunner;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture: a switch whose guests attach over its control socket, each into memory of its own, both ends in this
 * JVM. Vifs 1 and 2 are crossed (a frame one guest sends reaches the other), the others discard what their guests send.
 * The backends are driven by the test ({@link #pumpBackends()}) or, with {@link #startPoller}, by a {@link VifPoller}
 * on a host thread that sleeps ({@code sleep} mode, up to its heartbeat's 2 s) in one epoll over the guests' kick
 * fds. {@link #close()} stops
 * every thread (at once, even asleep), closes every guest's connection and share, the server and the region.
 */
final class ControlledSwitch implements AutoCloseable
{
    /** A guest attached over the control socket: its connection (its store keys, its share) and its netfront. */
    record Guest(GuestControlClient client, VifFrontend frontend)
    {
    }

    final Region region;
    final VifRegion vifRegion;
    final VifBackend[] backends;
    final GuestControlServer server;
    final Path socket;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final List<GuestControlClient> clients = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<Runnable> wakes = new ArrayList<>();
    private VifPoller poller;

    /**
     * @param dir        where the control socket goes.
     * @param vifs       vifs of the switch (at least 2).
     * @param queues     queues each vif offers.
     * @param vif1Owner  the uid that may attach vif 1 (the others: this process's).
     * @param poller     whether a poller serves the backends; if so housekeeping runs every {@code housekeepingNs}.
     * @param housekeepingNs the poller's housekeeping interval (ignored without a poller).
     * @param kind       what the serving process says it is ({@code switch}, {@code vif-run}, {@code bench}).
     */
    ControlledSwitch(final Path dir, final int vifs, final int queues, final int vif1Owner, final boolean poller,
        final long housekeepingNs, final String kind)
    {
        region = Region.createAnonymous(VifRegion.regionBytes(vifs, queues));
        vifRegion = VifRegion.create(region, vifs, queues);
        backends = new VifBackend[vifs];
        if (poller)
        {
            final EventSelector selector = VifSections.createSelector(region, vifs);
            this.poller = new VifPoller(selector, vifRegion.store(), housekeepingNs, new EpollWaitPoint(selector));
        }
        final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
        final List<GuestControlServer.Vif> attachable = new ArrayList<>();
        for (int i = 0; i < vifs; i++)
        {
            backends[i] = VifBackend.create(vifRegion, VifConfig.of(i + 1, 0).withQueues(queues),
                i < 2 ? cable.ingress(i) : (buffer, offset, length, metadata) -> 0, NoFrameOffload.INSTANCE);
            if (i < 2)
            {
                cable.plug(i, backends[i]);
            }
            if (this.poller != null)
            {
                this.poller.add(backends[i]);
            }
            attachable.add(new GuestControlServer.Vif(backends[i].config(), backends[i],
                i == 0 ? vif1Owner : HostFile.effectiveUid()));
        }
        socket = dir.resolve("switch.sock");
        server = new GuestControlServer(ControlSocket.listen(socket, false), vifRegion.store(), attachable, kind,
            new PrintStream(log, true, StandardCharsets.UTF_8)).start();
        if (this.poller != null)
        {
            final VifPoller host = this.poller;
            // as pvnet switch: the poller bounds each sleep by its timers, the strategy's bound is the heartbeat's
            start(new AgentRunner(IdleMode.SLEEP.newIdleStrategy(host, 0, VifPoller.HEARTBEAT_NS),
                Throwable::printStackTrace, null, host), host::wake);
        }
    }

    /** Two vifs of one queue, vif 1 owned by {@code vif1Owner}, backends driven by the test. */
    static ControlledSwitch unpolled(final Path dir, final int vif1Owner, final int queues)
    {
        return unpolled(dir, vif1Owner, queues, RegionDescriptor.ROLE_SWITCH);
    }

    /** As {@link #unpolled(Path, int, int)}, served by a process of {@code kind} ({@code vif-run}, {@code bench}). */
    static ControlledSwitch unpolled(final Path dir, final int vif1Owner, final int queues, final String kind)
    {
        return new ControlledSwitch(dir, 2, queues, vif1Owner, false, 0, kind);
    }

    /** {@code vifs} vifs of {@code queues} queues under a poller on a sleeping host thread. */
    static ControlledSwitch polled(final Path dir, final int vifs, final int queues, final long housekeepingNs)
    {
        return new ControlledSwitch(dir, vifs, queues, HostFile.effectiveUid(), true, housekeepingNs,
            RegionDescriptor.ROLE_SWITCH);
    }

    /** {@return the poller serving the backends, or null} */
    VifPoller poller()
    {
        return poller;
    }

    /** {@return the host thread's runner (the first runner started), or null without a poller} */
    AgentRunner hostRunner()
    {
        return poller == null ? null : runners.get(0);
    }

    /**
     * Attaches a guest for vif {@code domid}.0 over the control socket and starts its netfront in the memory handed
     * over; the guest kicks the host through its kick fd when {@code kicks}.
     */
    Guest attach(final int domid, final int queues, final boolean kicks)
    {
        final VifConfig config = VifConfig.of(domid, 0).withQueues(queues);
        final GuestControlClient client = GuestControlClient.attach(socket, config);
        clients.add(client);
        final VifFrontend frontend = kicks ?
            VifFrontend.create(client.store(), client.share().region(), client.kickFd(), config, NoFrameOffload.INSTANCE) :
            VifFrontend.create(client.store(), client.share().region(), config, NoFrameOffload.INSTANCE);
        return new Guest(client, frontend);
    }

    /** Starts {@code runner} on a thread of its own; {@link #close()} stops it, calling {@code wake} while it sleeps. */
    AgentRunner start(final AgentRunner runner, final Runnable wake)
    {
        runners.add(runner);
        wakes.add(wake);
        AgentRunner.startOnThread(runner);
        return runner;
    }

    /** Stops the runner started last (a guest's thread, before its connection goes). */
    void stopLastRunner()
    {
        final int last = runners.size() - 1;
        RunnerStop.close(runners.remove(last), wakes.remove(last));
    }

    /** Forgets {@code client} after the test closed it and its share itself. */
    void forget(final GuestControlClient client)
    {
        clients.remove(client);
    }

    /** One duty cycle of every backend (without a poller). */
    void pumpBackends()
    {
        for (final VifBackend backend : backends)
        {
            backend.doWork();
        }
    }

    /** {@return what the switch logged} */
    String log()
    {
        return log.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close()
    {
        for (int i = runners.size() - 1; i >= 0; i--)
        {
            RunnerStop.close(runners.get(i), wakes.get(i));
        }
        for (final GuestControlClient client : clients)
        {
            client.close();
        }
        server.close();
        server.closeShares();
        for (final GuestControlClient client : clients)
        {
            client.closeShare();
        }
        region.close();
    }
}

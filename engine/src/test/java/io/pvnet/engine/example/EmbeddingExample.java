package io.pvnet.engine.example;

import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.port.VifPort;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;

/**
 * The example of docs/embedding.md, compiled and run by {@code EmbeddingExampleTest} so that it cannot rot: a region
 * with two vifs on a learning bridge, the host side (bridge + both backends) on one agent thread, two guests in this
 * process; guest 2 resolves guest 1 by ARP and pings it with UDP echo.
 */
public final class EmbeddingExample
{
    private EmbeddingExample()
    {
    }

    /** @return the UDP echoes guest 2 received (of {@code count} sent). */
    public static long run(final int count) throws Exception
    {
        // 1. a region holding the store, the counters and two vifs (Region.create(path, ...) to share it with guests
        //    in other processes, as `pvnet switch` does)
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(2)))
        {
            final VifRegion vifs = VifRegion.create(region);

            // 2. the bridge and one VifPort per vif: the port is the bridge's way to the vif, the bridge's ingress is
            //    where the vif's backend delivers what its guest sends
            final Bridge bridge = new Bridge(BridgeConfig.defaults(new ChecksumFrameOffload()));
            final VifBackend[] backends = new VifBackend[2];
            for (int i = 0; i < 2; i++)
            {
                final VifPort port = new VifPort("vif" + (i + 1));
                final int index = bridge.attach(port, PortVlan.access(1));
                port.backend(VifBackend.create(vifs, VifConfig.of(i + 1, 0), bridge.ingress(index),
                    new ChecksumFrameOffload()));
                backends[i] = port.backend();
            }

            // 3. the host side on one thread: every agent that touches the bridge runs on the bridge's thread
            final AgentRunner host = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000, 100_000),
                Throwable::printStackTrace, null, new CompositeAgent(bridge, backends[0], backends[1]));
            AgentRunner.startOnThread(host);
            try
            {
                // 4. two guests (netfronts), here in this process and driven by this thread
                final VifFrontend guest1 = VifFrontend.create(vifs, VifConfig.of(1, 0), backends[0].counters(),
                    new ChecksumFrameOffload());
                final VifFrontend guest2 = VifFrontend.create(vifs, VifConfig.of(2, 0), backends[1].counters(),
                    new ChecksumFrameOffload());
                final GuestStack server = new GuestStack(VifConfig.of(1, 0).mac(), 0x0A00_0001, 24, null, 1500,
                    transmitTo(guest1));
                final GuestStack client = new GuestStack(VifConfig.of(2, 0).mac(), 0x0A00_0002, 24, null, 1500,
                    transmitTo(guest2));
                final EchoClient echo = new EchoClient(client, guest2);
                client.other(echo);
                final long deadline = System.nanoTime() + 20_000_000_000L;
                while (echo.echoes() < count && System.nanoTime() - deadline < 0)
                {
                    guest1.doWork();
                    guest1.poll(server, 64);
                    guest1.flush();
                    guest2.doWork();
                    guest2.poll(client, 64);
                    if (guest1.isConnected() && guest2.isConnected() && backends[0].isConnected() &&
                        backends[1].isConnected())
                    {
                        echo.step(0x0A00_0001, count);
                    }
                    guest2.flush();
                    Thread.onSpinWait();
                }
                return echo.echoes();
            }
            finally
            {
                host.close();
            }
        }
    }

    private static FrameSink transmitTo(final VifFrontend frontend)
    {
        return (buffer, offset, length, flags, gsoSize, gsoType) ->
            frontend.transmit(buffer, offset, length, flags, gsoSize, gsoType) == VifFrontend.OK ? 0 : 1;
    }

    public static void main(final String[] args) throws Exception
    {
        System.out.println("echoes " + run(100));
    }
}

package io.pvnet.engine.guest;

import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.vif.VifConfig;

import java.util.function.Function;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gen's TCP client against the guest's discard and chargen servers through a bridge, with a test's paths both ways
 * around the server: what reaches the server's stack goes through {@code toServer} first, what the server sends goes
 * out through {@code fromServer} (each a test's lossy or counting path). Built connected and with the server resolved
 * by ARP; {@link #close()} closes the vifs. {@link TcpClientCloseTest} and {@link TcpClientMidRunTest} share it.
 * <pre>
 *   gen (client stack, clientVif) --bridge--&gt; serverVif --&gt; toServer --&gt; server stack (discard 9, chargen 19)
 *                                  &lt;--bridge-- serverVif &lt;-- fromServer &lt;--+
 * </pre>
 */
final class TcpClientFixture implements AutoCloseable
{
    final GuestStack server;
    final TcpChargenServer chargen;
    final TrafficGenerator generator;
    private final BridgedVifPair vifs;

    /**
     * @param fromServer given the sink to the client, returns what the server's stack and chargen server send through.
     * @param toServer   given the server's stack, returns the path in front of it.
     */
    TcpClientFixture(final UnaryOperator<FrameSink> fromServer, final Function<GuestStack, FrameHandler> toServer)
    {
        vifs = new BridgedVifPair(java.util.Map.of());
        final FrameSink out = fromServer.apply(BridgedVifPair.transmitTo(vifs.serverVif));
        server = new GuestStack(VifConfig.of(1, 0).mac(), BridgedVifPair.SERVER_IP, 24, null, 1500, out);
        chargen = new TcpChargenServer(server, out, 1500).limitRingUse(vifs.serverVif::txOutstanding, 128);
        server.other(chargen);
        final FrameHandler path = toServer.apply(server);
        final GuestStack client = new GuestStack(VifConfig.of(2, 0).mac(), BridgedVifPair.CLIENT_IP, 24, null, 1500,
            BridgedVifPair.transmitTo(vifs.clientVif));
        generator = new TrafficGenerator(vifs.clientVif, client,
            new ServerAndClientGuests(vifs.serverVif, path, chargen, vifs.clientVif, client));
        assertTrue(generator.awaitConnected(20_000_000_000L), "client vif connected");
        assertTrue(generator.resolve(BridgedVifPair.SERVER_IP, 5_000_000_000L), "server resolved by ARP");
    }

    @Override
    public void close()
    {
        vifs.close();
    }
}

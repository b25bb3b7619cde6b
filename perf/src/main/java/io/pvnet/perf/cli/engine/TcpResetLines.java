package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.GenCounters;
import io.pvnet.engine.guest.GenListener;
import io.pvnet.engine.guest.TrafficGenerator;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code pvnet gen}'s listener for a TCP run: the table's ({@link GenOutput}) with, as a peer's RST ends a connection
 * in the middle of the run, one line on stderr at once naming the flow, when, and what it got so far (and the same in
 * the JSON's {@code end.peer_reset}). The run goes on with the other connections and ends in exit 4 (GenCommand's
 * {@code judge}).
 * <p>
 * Threading: the generator's thread (a {@link GenListener}), then the command's for {@link #json()}.
 */
final class TcpResetLines implements GenListener
{
    private final GenListener table;
    private final PrintStream err;
    private final String destination;
    private final int port;
    private final int reversePort;
    private final boolean both;
    private final List<Map<String, Object>> resets = new ArrayList<>();

    /**
     * @param table       the table's listener, told everything else.
     * @param err         where the lines go.
     * @param destination the peer's address as the user gave it.
     * @param port        the sending connections' port.
     * @param reversePort the receiving connections' port.
     * @param both        both directions run (the lines say which: [TX], [RX]).
     */
    TcpResetLines(final GenListener table, final PrintStream err, final String destination, final int port,
        final int reversePort, final boolean both)
    {
        this.table = table;
        this.err = err;
        this.destination = destination;
        this.port = port;
        this.reversePort = reversePort;
        this.both = both;
    }

    @Override
    public void onRoundTrip(final int flow, final long roundTripNs)
    {
        table.onRoundTrip(flow, roundTripNs);
    }

    @Override
    public void onInterval(final GenCounters counters, final long fromNs, final long toNs)
    {
        table.onInterval(counters, fromNs, toNs);
    }

    @Override
    public void onOmitted(final GenCounters counters, final long fromNs, final long toNs)
    {
        table.onOmitted(counters, fromNs, toNs);
    }

    @Override
    public void onPeerReset(
        final int flow, final boolean sending, final long atNs, final long bytes, final long unacknowledged)
    {
        err.println(line(flow, sending, atNs, bytes, unacknowledged));
        err.flush();
        final Map<String, Object> reset = new LinkedHashMap<>();
        reset.put("id", flow + 1);
        reset.put("direction", sending ? "tx" : "rx");
        reset.put("at_s", Math.round(atNs / 1e6) / 1e3);
        reset.put(sending ? "acknowledged_bytes" : "received_bytes", bytes);
        if (sending)
        {
            reset.put("unacknowledged_bytes", unacknowledged);
        }
        resets.add(reset);
    }

    /** {@return the line for a connection the peer reset} */
    String line(final int flow, final boolean sending, final long atNs, final long bytes, final long unacknowledged)
    {
        return String.format(Locale.ROOT, "pvnet gen: [%3d]%s reset by the peer at %.3f s (%d -> %s:%d): %s; " +
            "this connection ends, the others go on", flow + 1, both ? sending ? "[TX]" : "[RX]" : "", atNs / 1e9,
            TrafficGenerator.SOURCE_PORT + flow, destination, sending ? port : reversePort, sending ?
            String.format(Locale.ROOT, "%,d bytes acknowledged, %,d sent never acknowledged", bytes, unacknowledged) :
            String.format(Locale.ROOT, "%,d bytes received in order", bytes));
    }

    /** {@return each reset as the JSON's {@code end.peer_reset} lists it, in the order they came} */
    List<Map<String, Object>> json()
    {
        return resets;
    }
}

package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.GenCounters;
import io.pvnet.engine.guest.GenListener;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link TcpResetLines}: a peer's RST in the run is one line on stderr at once (which flow and direction, when, to
 * where, what it got so far) and an entry of the JSON's {@code end.peer_reset}; everything else goes to the table.
 */
class TcpResetLinesTest
{
    @Test
    void shouldPrintOneLinePerResetAndPassEverythingElseToTheTable()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final List<String> table = new ArrayList<>();
        final TcpResetLines lines = new TcpResetLines(new GenListener()
        {
            @Override
            public void onRoundTrip(final int flow, final long roundTripNs)
            {
                table.add("rtt " + flow);
            }

            @Override
            public void onInterval(final GenCounters counters, final long fromNs, final long toNs)
            {
                table.add("interval " + toNs);
            }
        }, new PrintStream(err, true, StandardCharsets.UTF_8), "192.0.2.1", 5001, 5002, true);

        lines.onInterval(new GenCounters(2), 0, 1_000_000_000L);
        lines.onPeerReset(1, true, 1_234_567_890L, 560_000, 2_800);
        lines.onPeerReset(0, false, 2_000_000_000L, 99_000, 0);

        assertEquals(List.of("interval 1000000000"), table);
        assertEquals(List.of(
            "pvnet gen: [  2][TX] reset by the peer at 1.235 s (40001 -> 192.0.2.1:5001): 560,000 bytes acknowledged, " +
                "2,800 sent never acknowledged; this connection ends, the others go on",
            "pvnet gen: [  1][RX] reset by the peer at 2.000 s (40000 -> 192.0.2.1:5002): 99,000 bytes received in " +
                "order; this connection ends, the others go on"),
            err.toString(StandardCharsets.UTF_8).lines().toList());
        assertEquals(List.of(
            Map.of("id", 2, "direction", "tx", "at_s", 1.235, "acknowledged_bytes", 560_000L, "unacknowledged_bytes",
                2_800L),
            Map.of("id", 1, "direction", "rx", "at_s", 2.0, "received_bytes", 99_000L)), lines.json());
    }
}

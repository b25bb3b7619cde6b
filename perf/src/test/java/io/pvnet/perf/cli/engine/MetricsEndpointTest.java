package io.pvnet.perf.cli.engine;

import io.pvnet.engine.SwitchCounters;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.vif.DropReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MetricsEndpointTest
{
    /** Parses the exposition with the Prometheus Python client's own parser and prints one sample per line. */
    private static final String PARSE = String.join("\n",
        "import sys",
        "from prometheus_client.parser import text_string_to_metric_families",
        "for family in text_string_to_metric_families(sys.stdin.read()):",
        "    for s in family.samples:",
        "        labels = ','.join(k + '=' + v for k, v in sorted(s.labels.items()))",
        "        print(family.type, s.name, labels, repr(s.value) if s.value != int(s.value) else int(s.value))");

    /** @return a python3 that has prometheus_client (Debian: python3-prometheus-client), or null. */
    private static String pythonWithPrometheusClient()
    {
        for (final String python : List.of("/usr/bin/python3", "python3"))
        {
            try
            {
                final Process p = new ProcessBuilder(python, "-c", "import prometheus_client.parser")
                    .redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0)
                {
                    return python;
                }
            }
            catch (final Exception ignore)
            {
                // try the next
            }
        }
        return null;
    }

    @Test
    void shouldServeEveryCounterAsPrometheusTextThatTheRealParserReads() throws Exception
    {
        final String python = pythonWithPrometheusClient();
        assumeTrue(python != null, "no python3 with prometheus_client (Debian package python3-prometheus-client)");
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(512 * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(512 * CountersReader.COUNTER_LENGTH)));
        final VifCounters vif = new VifCounters(manager, 1, 0);
        vif.add(VifCounters.TX_PACKETS, 42);
        vif.add(VifCounters.DROP_BASE + DropReason.OVERSIZE, 3);
        vif.set(VifCounters.HEARTBEAT, 1_733_480_000_125L);
        final PortCounters bridgeView = new PortCounters();
        bridgeView.txSent(1500);
        bridgeView.txDropped(PortDropReason.MTU_EXCEEDED);
        final SwitchCounters switchCounters = new SwitchCounters(manager);
        switchCounters.port("bridge", "vif1.0", bridgeView);
        switchCounters.port("port", "pv\"tap", new PortCounters()); // a name that needs escaping
        switchCounters.port("pcap", "my cap.pcapng", new PortCounters()); // a capture file's name with a space
        switchCounters.port("router", "vif2.0", new PortCounters()); // routed mode's view of a port

        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), manager))
        {
            final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals(MetricsEndpoint.CONTENT_TYPE, response.headers().firstValue("Content-Type").orElse(""));

            final Process parser = new ProcessBuilder(python, "-c", PARSE).start();
            parser.getOutputStream().write(response.body().getBytes(StandardCharsets.UTF_8));
            parser.getOutputStream().close();
            final String parsed = new String(parser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            final String errors = new String(parser.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(parser.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, parser.exitValue(), errors + "\n" + response.body());
            final List<String> lines = parsed.lines().toList();
            // the parser strips _total from counter family names but keeps it on samples
            assertTrue(lines.contains("counter pvnet_vif_rx_packets_total vif=vif1.0 42"), parsed);
            assertTrue(lines.contains("counter pvnet_vif_drops_total direction=from-guest,reason=" +
                DropReason.name(DropReason.OVERSIZE) + ",vif=vif1.0 3"), parsed);
            assertTrue(lines.contains("gauge pvnet_vif_backend_state vif=vif1.0 0"), parsed);
            // a time of day as Prometheus names one: seconds since the epoch, not the counter's milliseconds
            assertTrue(lines.contains("gauge pvnet_vif_heartbeat_timestamp_seconds vif=vif1.0 1733480000.125"), parsed);
            assertTrue(lines.stream().noneMatch(line -> line.contains("heartbeat_ms")), parsed);
            assertTrue(lines.contains("counter pvnet_port_tx_frames_total port=vif1.0,scope=bridge 1"), parsed);
            assertTrue(lines.contains("counter pvnet_port_tx_drops_total port=vif1.0,reason=" +
                PortDropReason.name(PortDropReason.MTU_EXCEEDED) + ",scope=bridge 1"), parsed);
            assertTrue(lines.contains("counter pvnet_port_rx_frames_total port=pv\"tap,scope=port 0"), parsed);
            assertTrue(lines.contains("counter pvnet_port_tx_frames_total port=my cap.pcapng,scope=pcap 0"), parsed);
            assertTrue(lines.contains("counter pvnet_port_rx_frames_total port=vif2.0,scope=router 0"), parsed);
        }
    }

    @Test
    void shouldWriteEpochMillisecondsAsExactSeconds()
    {
        assertEquals("0.000", MetricsEndpoint.seconds(0));
        assertEquals("1733480000.005", MetricsEndpoint.seconds(1_733_480_000_005L));
        assertEquals("1733480000.999", MetricsEndpoint.seconds(1_733_480_000_999L));
    }

    @Test
    void shouldLabelEveryVifDropWithTheOneDirectionItsReasonIsCountedIn()
    {
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(128 * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(128 * CountersReader.COUNTER_LENGTH)));
        final VifCounters vif = new VifCounters(manager, 1, 0);
        vif.add(VifCounters.DROP_BASE + DropReason.OVERSIZE, 3);
        vif.add(VifCounters.DROP_BASE + DropReason.RX_OVERSIZE, 4);
        final List<String> lines = MetricsEndpoint.format(manager).lines().toList();
        assertTrue(lines.contains("pvnet_vif_drops_total{vif=\"vif1.0\",reason=\"oversize\",direction=\"from-guest\"} 3"),
            lines.toString());
        assertTrue(lines.contains("pvnet_vif_drops_total{vif=\"vif1.0\",reason=\"rx-oversize\",direction=\"to-guest\"} 4"),
            lines.toString());
        for (int reason = 1; reason < DropReason.COUNT; reason++)
        {
            final String prefix = "pvnet_vif_drops_total{vif=\"vif1.0\",reason=\"" + DropReason.name(reason) + "\",";
            final String expected = prefix + "direction=\"" + DropReason.direction(reason) + "\"} ";
            lines.stream().filter(line -> line.startsWith(prefix))
                .forEach(line -> assertTrue(line.startsWith(expected), line + ", expected " + expected));
        }
        assertTrue(lines.stream().filter(line -> line.startsWith("pvnet_vif_drops_total{"))
            .allMatch(line -> line.contains("direction=\"from-guest\"") || line.contains("direction=\"to-guest\"") ||
                line.contains("reason=\"backend-exception\",direction=\"none\"")), lines.toString());
    }

    @Test
    void shouldReadTheListenAddressOrSayWhatIsWrong()
    {
        assertEquals(new InetSocketAddress("127.0.0.1", 9100), MetricsEndpoint.address("9100"));
        assertEquals(new InetSocketAddress("0.0.0.0", 9100), MetricsEndpoint.address("0.0.0.0:9100"));
        assertEquals("--metrics=x must be PORT or ADDR:PORT",
            assertThrows(IllegalArgumentException.class, () -> MetricsEndpoint.address("x")).getMessage());
        assertEquals("--metrics=70000: port must be in 0..65535",
            assertThrows(IllegalArgumentException.class, () -> MetricsEndpoint.address("70000")).getMessage());
    }
}

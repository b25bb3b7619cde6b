package io.pvnet.perf.cli.engine;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pvnet.engine.SwitchCounters;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.vif.VifCounters;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code switch --metrics [ADDR:]PORT}: serves every counter of the region (vifs, switch ports, bridge, router,
 * captures) at {@code /metrics} in the Prometheus text format 0.0.4, with the JDK's built-in HTTP server, for
 * Prometheus, Grafana agents or {@code curl}. Families:
 * <pre>
 *   pvnet_vif_rx_packets_total{vif="vif1.0"}                       dom0's view, as stat labels it
 *   pvnet_vif_drops_total{vif="vif1.0",reason="rx-oversize",direction="to-guest"}   from-guest, to-guest or none
 *   pvnet_vif_heartbeat_timestamp_seconds{vif="vif1.0"}     gauge: the backend's last stamp, Unix time (0: never)
 *   pvnet_vif_backend_state{vif="vif1.0"}                   gauge: XenbusState (4 connected)
 *   pvnet_port_rx_frames_total{scope="bridge",port="vif1.0"}        scope: bridge, router, port (TAP/VXLAN), pcap
 *   pvnet_port_tx_drops_total{scope="bridge",port="vif1.0",reason="mtu-exceeded"}
 *   pvnet_router_forwarded_total, pvnet_router_drops_total{reason="no-route"}, pvnet_router_pending (gauge)
 * </pre>
 * Threading: requests are answered on the server's own thread, which only reads counters (any thread may).
 */
public final class MetricsEndpoint implements AutoCloseable
{
    /** The content type of the text exposition format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;

    private MetricsEndpoint(final HttpServer server)
    {
        this.server = server;
    }

    /**
     * Starts serving {@code reader}'s counters.
     *
     * @param address where to listen; port 0 picks a free one.
     * @throws IOException when the address cannot be bound.
     */
    public static MetricsEndpoint start(final InetSocketAddress address, final CountersReader reader) throws IOException
    {
        final HttpServer server = HttpServer.create(address, 0);
        server.createContext("/metrics", exchange -> answer(exchange, reader));
        server.createContext("/", exchange ->
        {
            final byte[] body = "pvnet: metrics at /metrics\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders("/".equals(exchange.getRequestURI().getPath()) ? 200 : 404, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        });
        server.start();
        return new MetricsEndpoint(server);
    }

    /**
     * @param text {@code PORT} (bound to 127.0.0.1) or {@code ADDR:PORT}.
     * @return the address.
     * @throws IllegalArgumentException naming the bad part.
     */
    public static InetSocketAddress address(final String text)
    {
        final int colon = text.lastIndexOf(':');
        final String host = colon < 0 ? "127.0.0.1" : text.substring(0, colon).replace("[", "").replace("]", "");
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--metrics=" + text + " must be PORT or ADDR:PORT");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("--metrics=" + text + ": port must be in 0..65535");
        }
        return new InetSocketAddress(HostArguments.address("--metrics", host, 128).address(), port);
    }

    /** @return the bound address (the real port when 0 was asked for). */
    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    @Override
    public void close()
    {
        server.stop(0);
    }

    private static void answer(final HttpExchange exchange, final CountersReader reader) throws IOException
    {
        final byte[] body = format(reader).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(body);
        }
    }

    /** @return every vif and switch counter of {@code reader} in the Prometheus text format. */
    public static String format(final CountersReader reader)
    {
        final Map<String, Family> families = new LinkedHashMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final long value = reader.getCounterValue(counterId);
            final String[] words = label.split(" ");
            if (typeId == VifCounters.TYPE_ID && words.length == 2)
            {
                final String vif = "vif=\"" + escape(words[0]) + "\"";
                final String kind = words[1];
                if (kind.startsWith("drop-"))
                {
                    // each reason is counted in one direction (DropReason.direction): a label to sum a direction by
                    final String reason = kind.substring(5);
                    family(families, "pvnet_vif_drops_total", "counter",
                        "frames the vif's backend dropped, by reason and direction (from-guest, to-guest, none)")
                        .add(vif + ",reason=\"" + escape(reason) + "\",direction=\"" +
                            DropReason.direction(DropReason.code(reason)) + "\"", value);
                }
                else if (kind.equals("heartbeat-ms"))
                {
                    // a time of day is a *_timestamp_seconds gauge (Prometheus' naming): time() - it is the age
                    family(families, "pvnet_vif_heartbeat_timestamp_seconds", "gauge",
                        "Unix time of the vif backend's last heartbeat, 0 before the first")
                        .add(vif, seconds(value));
                }
                else if (kind.equals("backend-state"))
                {
                    family(families, "pvnet_vif_backend_state", "gauge", "vif backend-state (XenbusState, 4 connected)")
                        .add(vif, Long.toString(value));
                }
                else
                {
                    family(families, "pvnet_vif_" + metricName(kind) + "_total", "counter", "vif " + kind + " (dom0's view)")
                        .add(vif, value);
                }
            }
            else if (typeId == SwitchCounters.TYPE_ID && words.length >= 3)
            {
                // SCOPE PORT SLOT, where PORT (a capture file's name) may hold spaces
                final String port = label.substring(words[0].length() + 1, label.lastIndexOf(' '));
                final String labels = "scope=\"" + escape(words[0]) + "\",port=\"" + escape(port) + "\"";
                final String slot = words[words.length - 1];
                if (slot.startsWith("tx-drop-") || slot.startsWith("rx-drop-"))
                {
                    final String way = slot.substring(0, 2);
                    family(families, "pvnet_port_" + way + "_drops_total", "counter", way + " frames a port dropped, by reason")
                        .add(labels + ",reason=\"" + escape(slot.substring(8)) + "\"", value);
                }
                else
                {
                    family(families, "pvnet_port_" + metricName(slot) + "_total", "counter", "port " + slot)
                        .add(labels, value);
                }
            }
            else if (typeId == SwitchCounters.TYPE_ID && words.length == 2 && words[0].equals("router"))
            {
                final String slot = words[1];
                if (slot.startsWith("drop-"))
                {
                    family(families, "pvnet_router_drops_total", "counter", "frames the router dropped, by reason")
                        .add("reason=\"" + escape(slot.substring(5)) + "\"", value);
                }
                else if (slot.equals("pending"))
                {
                    family(families, "pvnet_router_pending", "gauge", "frames waiting for a next hop").add("", value);
                }
                else
                {
                    family(families, "pvnet_router_" + metricName(slot) + "_total", "counter", "router " + slot)
                        .add("", value);
                }
            }
        });
        final StringBuilder text = new StringBuilder(families.size() * 256);
        for (final Map.Entry<String, Family> entry : families.entrySet())
        {
            final Family family = entry.getValue();
            text.append("# HELP ").append(entry.getKey()).append(' ').append(family.help).append('\n');
            text.append("# TYPE ").append(entry.getKey()).append(' ').append(family.type).append('\n');
            for (final String sample : family.samples)
            {
                text.append(entry.getKey()).append(sample).append('\n');
            }
        }
        return text.toString();
    }

    private static Family family(final Map<String, Family> families, final String name, final String type, final String help)
    {
        return families.computeIfAbsent(name, n -> new Family(type, help));
    }

    /** @return epoch milliseconds as seconds with three decimals ({@code 1733480000.125}), exactly. */
    static String seconds(final long epochMs)
    {
        return epochMs / 1_000 + "." + String.format(Locale.ROOT, "%03d", epochMs % 1_000);
    }

    private static String metricName(final String kind)
    {
        return kind.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    private static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** One metric family: its type, help and samples. */
    private static final class Family
    {
        private final String type;
        private final String help;
        private final List<String> samples = new ArrayList<>();

        private Family(final String type, final String help)
        {
            this.type = type;
            this.help = help;
        }

        private void add(final String labels, final long value)
        {
            add(labels, Long.toString(value));
        }

        private void add(final String labels, final String value)
        {
            samples.add((labels.isEmpty() ? "" : "{" + labels + "}") + " " + value);
        }
    }
}

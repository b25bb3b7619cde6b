package io.pvnet.perf.cli.engine;

import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.guest.StreamSink;
import org.agrona.concurrent.AgentRunner;
import io.pvnet.perf.harness.ShutdownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * {@code pvnet guest --region PATH --vif I --ip ADDR/PREFIX [--ip6 ADDR/PREFIX] [--mac MAC]}: a netfront in its own
 * process with {@link GuestStack}'s responder (ARP, NDP, ICMP/ICMPv6 echo, UDP echo on 7, TCP discard on 9), TCP
 * chargen on 19 and gen's UDP stream source on 5201, until SIGINT/SIGTERM. It reaches the switch through its control
 * socket only ({@link GuestNode}); when the switch goes it attaches again ({@code --reconnect}, the default) or exits 1
 * naming the cause ({@code --no-reconnect}). Once attached, its messages name the host as its share records it
 * ({@code lost the bench process}; {@link io.pvnet.engine.control.GuestControlClient#server()}).
 */
@Command(name = "guest", mixinStandardHelpOptions = true,
    description = "Run a guest (netfront) answering ARP, NDP, ping, UDP echo (7), TCP discard (9), TCP chargen " +
        "(19) and gen's UDP streams (5201: counts and reports a one-way stream, streams on request), until interrupted.")
public final class GuestCommand implements Callable<Integer>
{
    @picocli.CommandLine.Mixin
    io.pvnet.perf.harness.PollingOptions polling = new io.pvnet.perf.harness.PollingOptions();

    @picocli.CommandLine.Mixin
    GuestAttachOptions attach = new GuestAttachOptions();

    @Option(names = "--ip6", paramLabel = "ADDR/PREFIX", description = "IPv6 address.")
    String ip6;

    @Option(names = "--reconnect", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "When the switch stops or restarts, attach again within --wait (default); " +
            "--no-reconnect: exit 1 naming the cause.")
    boolean reconnect = true;

    @Option(names = "--queues", paramLabel = "N",
        description = "Queues to ask the switch for (1..16, default 1; the switch's --queues caps it). A sleeping " +
            "guest thread is woken by a frame on any of them.")
    int queues = 1;

    @Option(names = "--idle", paramLabel = "MODE", converter = io.pvnet.perf.harness.IdleConverter.class,
        description = "How the guest thread waits for frames: adaptive (default: poll 50 us after the last work, then " +
            "sleep until the backend notifies), sleep, backoff or busy-spin; " +
            io.pvnet.perf.harness.IdleConverter.MEASURING_MODES)
    io.pvnet.ring.event.IdleMode idle = io.pvnet.ring.event.IdleMode.ADAPTIVE;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception
    {
        final GuestNode.Settings settings;
        try
        {
            settings = attach.settings(ip6, queues);
            polling.apply();
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("pvnet guest: " + ex.getMessage());
            return 2;
        }
        // the barrier's shutdown hook holds the JVM's exit until the barrier is closed: after the node is closed. A
        // signal ends the node's waits for the switch at once (at start and while reconnecting), not only its sleep.
        try (ShutdownLatch barrier = new ShutdownLatch();
            GuestNode node = GuestNode.open(settings, attach.waitNs(), barrier::awaitStop, reconnect, err))
        {
            if (node == null)
            {
                out.println("pvnet guest: stopped while waiting for the switch at " +
                    RegionArgument.controlSocket(settings.region()));
                return 0;
            }
            final org.agrona.ErrorHandler errors =
                new io.pvnet.engine.RateLimitedErrorHandler("pvnet guest", System.err, 1_000);
            // the guest thread reports a lost switch itself at once; when it gives up it releases this thread, which
            // otherwise sleeps until SIGINT/SIGTERM (no periodic look: an idle guest's threads all sleep)
            final AgentRunner runner = new AgentRunner(node.idleStrategy(idle), ex ->
            {
                if (node.failure() != null)
                {
                    barrier.release(); // the main thread prints the failure once, as the last line
                }
                else
                {
                    errors.onError(ex);
                }
            }, null, node);
            AgentRunner.startOnThread(runner);
            JvmTimerSlack.apply(); // the JVM's own idle timers ride on the guest's wake-ups
            out.println("pvnet guest: vif " + attach.vif + " ether " + VifConfig.formatMac(settings.config().mac()) + " inet " +
                attach.ip + (ip6 == null ? "" : " inet6 " + ip6) + "; ready");
            out.flush();
            barrier.await();
            io.pvnet.ring.event.RunnerStop.close(runner, node::wake);
            if (node.failure() != null)
            {
                err.println("pvnet guest: " + node.failure());
                return 1;
            }
            final GuestStack stack = node.stack();
            out.println("pvnet guest: stopped; frames " + stack.framesIn() + " replies " + stack.repliesOut() +
                " icmp-echoes " + stack.icmpEchoes() + " udp-echoes " + stack.udpEchoes() + " tcp-bytes " +
                stack.tcpPayloadBytes() + " reassembled " + stack.reassembled() + " reply-failures " +
                stack.replyFailures() + " rx-held-for-tx-room " + node.rxHeldBack() + " streamed " +
                node.streamSource().sentFrames() + " stream-requests " + node.streamSource().requests() +
                " stream-reports-in " + node.streamSource().reports() + " reports-ignored " +
                node.streamSource().reportsIgnored() + " counted " +
                node.streamSource().sink().datagrams() + " reports-out " + node.streamSource().sink().reports() +
                " reports-deferred " + node.streamSource().sink().reportFailures() +
                " unsolicited " + node.streamSource().sink().unsolicited() + " stream-malformed " +
                node.streamSource().sink().malformed() + " stream-refused full/source/final-pending/live-count " +
                node.streamSource().sink().refused(StreamSink.Refusal.FULL) + "/" +
                node.streamSource().sink().refused(StreamSink.Refusal.SOURCE_LIMIT) + "/" +
                node.streamSource().sink().refused(StreamSink.Refusal.FINAL_PENDING) + "/" +
                node.streamSource().sink().refused(StreamSink.Refusal.LIVE_COUNT) + " stream-evicted " +
                node.streamSource().sink().evicted() + " stream-keepalives " +
                node.streamSource().sink().keepalives() + " chargen-connections " + node.chargen().accepted() +
                " chargen-bytes " + node.chargen().sentBytes());
            return 0;
        }
        catch (final IllegalStateException ex)
        {
            err.println("pvnet guest: " + ex.getMessage());
            return 1;
        }
    }
}

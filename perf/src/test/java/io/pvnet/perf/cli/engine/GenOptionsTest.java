package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.DatagramSpec;
import io.pvnet.engine.guest.GenCounters;
import io.pvnet.engine.guest.TrafficReport;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.guest.StreamSource;
import io.pvnet.engine.guest.TcpChargenServer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GenOptions#plan}: the defaults that depend on other options resolved into the plan, the options untouched; and
 * what {@link GenCommand} says of a TCP close that did not complete.
 */
class GenOptionsTest
{
    private static GenCommand parse(final String... args)
    {
        final GenCommand command = new GenCommand();
        new CommandLine(command).parseArgs(java.util.stream.Stream.concat(
            java.util.stream.Stream.of("--region", "/dev/shm/pvnet-gen-options-test", "--vif", "1", "--ip",
                "192.0.2.3/24", "--dst", "192.0.2.2"), java.util.stream.Stream.of(args)).toArray(String[]::new));
        return command;
    }

    private static GenOptions.Plan plan(final GenCommand command)
    {
        return command.options.plan(command.attach);
    }

    @Test
    void shouldResolveTheTcpPortsIntoThePlanAndLeaveTheOptionsAsGiven()
    {
        final GenCommand command = parse("--proto", "tcp", "--bidir", "-P", "4", "--size", "1400");
        final GenOptions.Plan plan = plan(command);
        assertEquals(GuestStack.DISCARD_PORT, plan.port());
        assertEquals(TcpChargenServer.PORT, plan.reversePort());
        assertEquals(DatagramSpec.Direction.BIDIR, plan.direction());
        assertEquals(4, plan.flows());
        assertEquals(1400, plan.size());
        assertEquals(-1, command.options.port, "the option stays what the user gave: none");
        assertEquals(-1, command.options.reversePort);
        assertEquals(plan.toString(), plan(command).toString(), "planning again gives the same plan");
    }

    @Test
    void shouldTakeTheReversePortFromThePortGivenWithReverse()
    {
        final GenOptions.Plan plan = plan(parse("--proto", "tcp", "--reverse", "--port", "5001"));
        assertEquals(5001, plan.port());
        assertEquals(5001, plan.reversePort());
    }

    @Test
    void shouldResolveTheRateFromTheBitrateWithoutWritingTheRateOption()
    {
        final GenCommand command = parse("--proto", "udp", "--size", "1000", "-b", "80M");
        final GenOptions.Plan plan = plan(command);
        assertEquals(10_000, plan.rate());
        assertEquals(0, command.options.rate, "--rate stays unset");
        assertEquals(0, plan.window(), "a rate is not paced by a window");
        assertEquals(StreamSource.PORT, plan.port());
        assertTrue(plan.oneWay());
        assertEquals(plan.toString(), plan(command).toString(), "a second plan does not find --rate and --bitrate together");
    }

    @Test
    void shouldCarryTheRestOfTheRunInThePlan()
    {
        final GenOptions.Plan plan = plan(parse("--proto", "udp", "--echo", "--count", "500", "-i", "0.5"));
        assertEquals(GuestStack.ECHO_PORT, plan.port());
        assertEquals(500, plan.count());
        assertEquals(500_000_000L, plan.intervalNs());
        assertEquals("udp", plan.protoName());
        assertNull(plan.json());
        assertEquals(0, plan(parse("--proto", "udp")).count(), "no --count: 0, a duration");
    }

    @Test
    void shouldRefuseABitrateWithTcpReverse()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> plan(parse("--proto", "tcp", "--reverse", "-b", "1G")));
        assertTrue(ex.getMessage().startsWith("-b/--bitrate is for gen's own sends"), ex.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> plan(parse("--proto", "tcp", "--reverse", "--rate", "1000"))).getMessage().startsWith("--rate is"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> plan(parse("--proto", "tcp", "--reverse", "--tso"))).getMessage().startsWith("--tso is"));
    }

    @Test
    void shouldMakeBytesNeverAcknowledgedAnErrorAndAnIncompleteCloseAWarning()
    {
        final GenCounters counters = new GenCounters(1);
        assertNull(GenCommand.closeLine(false, new TrafficReport(counters, 1, true, null, 0)), "closed: nothing to say");
        assertNull(GenCommand.closeLine(true, new TrafficReport(counters, 1, false, null, 0)), "udp has no close");
        assertEquals("pvnet gen: 1,400 bytes sent were never acknowledged: the peer stopped answering before the TCP " +
            "close completed (connections reset)", GenCommand.closeLine(false, new TrafficReport(counters, 1, false, null,
            1400)));
        assertTrue(GenCommand.closeLine(false, new TrafficReport(counters, 1, false, null, 0))
            .startsWith("pvnet gen: warning: "));
        assertEquals("pvnet gen: the peer reset 1 connection during the run (above): its figures end there; 2,800 bytes " +
            "sent were never acknowledged", GenCommand.closeLine(false, new TrafficReport(counters, 1, false, null, 2800,
            1)), "a reset during the run is an error even when the rest closed");
        assertEquals("pvnet gen: the peer reset 2 connections during the run (above): their figures end there",
            GenCommand.closeLine(false, new TrafficReport(counters, 1, true, null, 0, 2)));
    }

    @Test
    void shouldPrintBothTheCloseErrorAndTheShortSendWarningAndExitFourWhenARunHasBoth()
    {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream err = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);

        assertEquals(4, GenCommand.judge(err, "pvnet gen: 1,400 bytes sent were never acknowledged", true, null,
            "pvnet gen: warning: sent 10% of what was asked"));
        assertEquals("pvnet gen: 1,400 bytes sent were never acknowledged\npvnet gen: warning: sent 10% of what was asked\n",
            bytes.toString(java.nio.charset.StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));

        bytes.reset();
        assertEquals(3, GenCommand.judge(err, "pvnet gen: warning: the close did not complete", false, null,
            "short"));
        assertEquals(2, bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines().count(), "a close warning and the short send");
        bytes.reset();
        assertEquals(0, GenCommand.judge(err, null, false, null, null));
        assertEquals("", bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void shouldSayAndExitFiveWhenAReceiversFinalReportDidNotCome()
    {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream err = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);

        assertNull(GenCommand.missingFinalReportsLine(0), "every final report came: nothing to say");
        assertEquals(5, GenCommand.judge(err, null, false, GenCommand.missingFinalReportsLine(1), null));
        assertEquals("pvnet gen: no final report from the receiver of 1 flow within 3 s: its figures are an earlier " +
            "report's, and lost includes datagrams that may have arrived\n",
            bytes.toString(java.nio.charset.StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));

        bytes.reset();
        assertEquals(5, GenCommand.judge(err, null, false, GenCommand.missingFinalReportsLine(2), "short"),
            "figures not the transfer's over a short send");
        assertEquals(List.of("pvnet gen: no final report from the receiver of 2 flows within 3 s: their figures are " +
            "an earlier report's, and lost includes datagrams that may have arrived", "short"),
            bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList());
    }
}

package io.pvnet.engine;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.region.Region;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The guest process of {@link CrossProcessVifTest}: opens the host's region, runs the frontends of vifs 1.0 and 2.0,
 * sends {@code count} numbered frames from 1.0 and checks each arrives on 2.0 intact and in order; then closes vif 1.0,
 * reconnects it and does it again. Exit status 0 when everything arrived.
 */
public final class CrossProcessVifGuest
{
    private CrossProcessVifGuest()
    {
    }

    public static void main(final String[] args)
    {
        final Path path = Path.of(args[0]);
        final int count = Integer.parseInt(args[1]);
        try (Region region = Region.open(path))
        {
            final VifRegion vifRegion = VifRegion.attach(region);
            // the host allocated the counters; this process writes the frontend ones
            final VifFrontend sender = VifFrontend.create(vifRegion, VifConfig.of(1, 0),
                VifCounters.attach(vifRegion.countersReader(), 1, 0), NoFrameOffload.INSTANCE);
            final VifFrontend receiver = VifFrontend.create(vifRegion, VifConfig.of(2, 0),
                VifCounters.attach(vifRegion.countersReader(), 2, 0), NoFrameOffload.INSTANCE);
            check(await(sender, receiver, XenbusState.CONNECTED), "connect");
            // frames sent before the receiving backend is up would be dropped at the crossover, as at a bridge port
            check(awaitBackends(vifRegion), "backends connected");
            final Checker checker = new Checker();
            check(exchange(sender, receiver, checker, count, 0), "first exchange");
            sender.close();
            check(await(sender, receiver, XenbusState.CLOSED, sender), "close");
            sender.reconnect();
            check(await(sender, receiver, XenbusState.CONNECTED), "reconnect");
            check(awaitBackends(vifRegion), "backends reconnected");
            check(exchange(sender, receiver, checker, count, count), "second exchange");
            sender.doWork(); // flushes the frontend counters
            receiver.doWork();
            System.out.println("guest ok frames=" + checker.next);
            System.exit(0);
        }
        catch (final RuntimeException ex)
        {
            ex.printStackTrace();
            System.exit(3);
        }
    }

    private static void check(final boolean ok, final String what)
    {
        if (!ok)
        {
            System.out.println("guest failed: " + what);
            System.exit(2);
        }
    }

    private static boolean awaitBackends(final VifRegion vifRegion)
    {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() - deadline < 0)
        {
            if (vifRegion.store().readState("backend/vif/1/0") == XenbusState.CONNECTED &&
                vifRegion.store().readState("backend/vif/2/0") == XenbusState.CONNECTED)
            {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    private static boolean await(final VifFrontend sender, final VifFrontend receiver, final XenbusState state)
    {
        return await(sender, receiver, state, null);
    }

    private static boolean await(
        final VifFrontend sender, final VifFrontend receiver, final XenbusState state, final VifFrontend only)
    {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() - deadline < 0)
        {
            sender.doWork();
            receiver.doWork();
            final boolean senderDone = sender.state() == state;
            final boolean receiverDone = only != null || receiver.state() == state;
            if (senderDone && receiverDone)
            {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    private static boolean exchange(
        final VifFrontend sender, final VifFrontend receiver, final Checker checker, final int count, final int first)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[1514]);
        int sent = first;
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (checker.next < first + count && checker.bad == 0 && System.nanoTime() - deadline < 0)
        {
            // a window, as TCP keeps one: the crossover, like a switch, drops what its queue cannot hold
            if (sent < first + count && sent - checker.next < 128)
            {
                final int length = 60 + (sent % 1400);
                frame.putInt(20, sent, ByteOrder.LITTLE_ENDIAN);
                frame.putByte(length - 1, (byte)sent);
                if (sender.transmit(frame, 0, length) == VifFrontend.OK)
                {
                    sent++;
                }
                sender.flush();
            }
            sender.doWork();
            receiver.doWork();
            receiver.poll(checker, 64);
        }
        return checker.next == first + count && checker.bad == 0;
    }

    private static final class Checker implements FrameHandler
    {
        int next;
        int bad;

        @Override
        public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            final int sequence = buffer.getInt(offset + 20, ByteOrder.LITTLE_ENDIAN);
            if (sequence != next || length != 60 + (sequence % 1400) || buffer.getByte(offset + length - 1) != (byte)sequence)
            {
                System.out.println("guest: frame " + sequence + " of " + length + " bytes, expected " + next);
                bad++;
            }
            next++;
        }
    }
}

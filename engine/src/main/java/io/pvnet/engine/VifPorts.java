package io.pvnet.engine;

import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.IdleMode;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The backend event ports of one connected vif as its {@link VifPoller} sees them: every queue's (and the control
 * ring's) port bound to the vif's bit in the poller's selector, armed and disarmed together, so that a guest
 * notifying any queue wakes the host thread once.
 * <p>
 * Threading: the poller's thread.
 */
final class VifPorts
{
    private final EventChannel[] channels;
    private final int[] ports;

    private VifPorts(final EventChannel[] channels, final int[] ports)
    {
        this.channels = channels;
        this.ports = ports;
    }

    /** Binds backend ports {@code ports[0..count)} of {@code events} to {@code bit}. Slow path (at connect). */
    static VifPorts bind(final AtomicBuffer events, final int[] ports, final int count, final int bit)
    {
        final EventChannel[] channels = new EventChannel[count];
        for (int i = 0; i < count; i++)
        {
            // the remote port only matters for notifying, which the poller never does
            final int remote = ports[i] == VifSections.FRONTEND_PORT ? VifSections.BACKEND_PORT : ports[i] + 1;
            channels[i] = new EventChannel(events, ports[i], remote, IdleMode.NOOP);
            channels[i].bindLocalPort(bit);
        }
        return new VifPorts(channels, java.util.Arrays.copyOf(ports, count));
    }

    /** Arms every port (volatile stores): a notification from now on raises the vif's bit. */
    void arm()
    {
        for (final EventChannel channel : channels)
        {
            channel.armLocalPort();
        }
    }

    /** Disarms every port (the poller polls the vif again). */
    void disarm()
    {
        for (final EventChannel channel : channels)
        {
            channel.disarmLocalPort();
        }
    }
}
